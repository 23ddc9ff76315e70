package matching

import "fmt"

// Error codes, named as in the rest of talentloop so a service can map them
// to its own application error.
const (
	EINVALID  = "invalid"
	ENOTFOUND = "not_found"
	ECONFLICT = "conflict"
)

// Error is a bad-input or lookup error. Record names the offending record
// ("learner 42", "demand 7", "edge 3"), so a user can find and fix it.
type Error struct {
	Code    string
	Record  string
	Message string
}

// Error returns "record: message".
func (e *Error) Error() string {
	if e.Record == "" {
		return "matching: " + e.Message
	}
	return "matching: " + e.Record + ": " + e.Message
}

func invalidf(record, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Record: record, Message: fmt.Sprintf(format, args...)}
}

func learnerRecord(id int64) string { return fmt.Sprintf("learner %d", id) }
func demandRecord(id int64) string  { return fmt.Sprintf("demand %d", id) }

func notFoundLearner(id int64) *Error {
	return &Error{Code: ENOTFOUND, Record: learnerRecord(id), Message: "no such learner in the index"}
}

func notFoundDemand(id int64) *Error {
	return &Error{Code: ENOTFOUND, Record: demandRecord(id), Message: "no such demand in the index"}
}
