// Package talentloop holds the domain of the talentloop platform: the types
// that describe learners, companies, the catalog of industry chains and
// programs, and the service interfaces that adapters implement. It depends on
// the standard library only.
package talentloop

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status at the web boundary.
const (
	EINVALID      = "invalid"      // the input is wrong; Message and Fields say how
	ENOTFOUND     = "not_found"    // the thing does not exist (or the caller may not know it does)
	ECONFLICT     = "conflict"     // the change clashes with existing state
	EUNAUTHORIZED = "unauthorized" // the caller is not signed in
	EFORBIDDEN    = "forbidden"    // the caller is signed in but lacks the role
	ETOOMANY      = "too_many"     // rate limited
	ETOOLARGE     = "too_large"    // request body over the limit
	EINTERNAL     = "internal"     // a bug or an outage; details are logged, never shown
)

// Error is the one application error. Message is safe to show to a user and
// is a message key that the web layer translates; Fields names per-field
// problems (field name → message key) for forms and API clients.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
	// Args are substituted into the translated message (fmt verbs).
	Args []any
}

func (e *Error) Error() string {
	return fmt.Sprintf("talentloop error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and message key.
func Errorf(code, message string, args ...any) *Error {
	return &Error{Code: code, Message: message, Args: args}
}

// Invalid returns an EINVALID error with field errors.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: "err.invalid_fields", Fields: fields}
}

// ErrorCode returns the code of an application error, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message key of an application error, or the
// generic internal-error key for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "err.internal"
}

// Wrap annotates *errp with a formatted prefix unless it is nil or already an
// application error (whose message must stay user-safe).
func Wrap(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	var e *Error
	if errors.As(*errp, &e) {
		return
	}
	*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
}
