package demo

import (
	"math/rand/v2"
	"time"
)

// china is the time zone the demo's people live in (UTC+8, no daylight
// saving), fixed so that no time zone database is needed.
var china = time.FixedZone("CST", 8*3600)

// day returns local midnight of the day that holds t.
func day(t time.Time) time.Time {
	l := t.In(china)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, china)
}

// atHours returns local time h (hours, fractions allowed) on the day of d.
func atHours(d time.Time, h float64) time.Time {
	return day(d).Add(time.Duration(h * float64(time.Hour)))
}

func weekend(t time.Time) bool {
	wd := t.In(china).Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// slotAfter returns the first slot chosen by pick that lies after lo: it
// tries the day of lo, then the following days. pick draws an hour of the
// day, or returns false for a day on which nothing happens.
func slotAfter(lo time.Time, pick func(d time.Time) (float64, bool)) time.Time {
	d := day(lo)
	for range 14 {
		if h, ok := pick(d); ok {
			if t := atHours(d, h); t.After(lo) {
				return t.UTC()
			}
		}
		d = d.AddDate(0, 0, 1)
	}
	return lo.Add(time.Hour).UTC()
}

// learnerSlot is when a learner studies: mostly in the evening, sometimes
// at lunch or before work, and through the day at weekends.
func learnerSlot(r *rand.Rand) func(d time.Time) (float64, bool) {
	return func(d time.Time) (float64, bool) {
		x := r.Float64()
		switch {
		case weekend(d):
			return 9 + 14*r.Float64(), true
		case x < 0.68:
			return 19 + 4.5*r.Float64(), true
		case x < 0.88:
			return 12 + 1.5*r.Float64(), true
		default:
			return 7.2 + 1.3*r.Float64(), true
		}
	}
}

// instructorSlot is when an instructor reviews and answers: in working
// hours, some evenings, now and then at a weekend.
func instructorSlot(r *rand.Rand) func(d time.Time) (float64, bool) {
	return func(d time.Time) (float64, bool) {
		x := r.Float64()
		switch {
		case weekend(d):
			return 10 + 11*r.Float64(), x < 0.25
		case x < 0.72:
			return 9.5 + 9*r.Float64(), true
		default:
			return 20 + 2.5*r.Float64(), true
		}
	}
}

// instructorAt returns lo itself when an instructor is at work then (a
// working day, in office hours or the evening), else their next slot.
func instructorAt(r *rand.Rand, lo time.Time) time.Time {
	l := lo.In(china)
	h := float64(l.Hour()) + float64(l.Minute())/60
	if !weekend(lo) && (h >= 9.5 && h < 18.5 || h >= 20 && h < 22.5) {
		return lo.UTC()
	}
	return slotAfter(lo, instructorSlot(r))
}

// officeSlot is when the operator confirms payments: working days, office
// hours.
func officeSlot(r *rand.Rand) func(d time.Time) (float64, bool) {
	return func(d time.Time) (float64, bool) {
		return 9.5 + 8.5*r.Float64(), !weekend(d)
	}
}

// hours returns a duration of h hours.
func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

// between draws a number uniformly from [lo, hi).
func between(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }
