package web

// translations exposes a message's two texts to tests.
func Translations(key string) (zh, en string) {
	m, ok := messages[key]
	if !ok {
		return key, key
	}
	return m[0], m[1]
}
