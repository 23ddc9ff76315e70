package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"talentloop"
)

var _ talentloop.LearningService = (*DB)(nil)

const orderCols = `o.id, o.enrolment_id, o.user_id, u.name, u.email, o.program_id, p.title_zh, p.title_en, o.amount_fen, o.currency, o.provider, o.status, o.reference,
	o.created_at, o.paid_at, o.refunded_at, o.cancelled_at`

const orderFrom = ` FROM orders o JOIN users u ON u.id = o.user_id JOIN programs p ON p.id = o.program_id`

func scanOrder(row interface{ Scan(...any) error }) (*talentloop.Order, error) {
	o := &talentloop.Order{}
	var paid, refunded, cancelled sql.NullTime
	err := row.Scan(&o.ID, &o.EnrolmentID, &o.UserID, &o.UserName, &o.UserEmail, &o.ProgramID, &o.Program.ZH, &o.Program.EN, &o.AmountFen, &o.Currency, &o.Provider, &o.Status, &o.Reference,
		&o.CreatedAt, &paid, &refunded, &cancelled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.order_not_found")
	} else if err != nil {
		return nil, err
	}
	o.PaidAt, o.RefundedAt, o.CancelledAt = nullTime(paid), nullTime(refunded), nullTime(cancelled)
	return o, nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// latestOrderSQL selects the newest order of an enrolment: an enrolment
// keeps its orders, and a learner re-enrolling after a refund gets a new one.
const latestOrderSQL = `o.id = (SELECT MAX(o2.id) FROM orders o2 WHERE o2.enrolment_id = o.enrolment_id)`

// Enrol places a learner in a published program. A second call returns the
// existing enrolment (created=false), unless its last order was refunded or
// cancelled, when it opens a new order.
func (db *DB) Enrol(ctx context.Context, userID, programID int64, income *talentloop.IncomeReport) (_ *talentloop.Enrolment, created bool, err error) {
	defer wrapErr(&err, "Enrol(%d, %d)", userID, programID)
	if income != nil {
		if err := income.Validate(); err != nil {
			return nil, false, err
		}
	}
	var enrolmentID int64
	err = db.withTx(ctx, func(tx *Tx) error {
		var status string
		var price int64
		var currency string
		err := tx.queryRow(ctx, `SELECT status, price_fen, currency FROM programs WHERE id = ?`, programID).Scan(&status, &price, &currency)
		if errors.Is(err, sql.ErrNoRows) {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
		} else if err != nil {
			return err
		}
		if status != talentloop.StatusPublished {
			return talentloop.Errorf(talentloop.ENOTFOUND, "err.program_not_found")
		}
		now := db.now()
		var lastStatus string
		err = tx.queryRow(ctx, `SELECT e.id, o.status FROM enrolments e JOIN orders o ON o.enrolment_id = e.id AND `+latestOrderSQL+` WHERE e.user_id = ? AND e.program_id = ?`,
			userID, programID).Scan(&enrolmentID, &lastStatus)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			enrolmentID, err = tx.insert(ctx, `INSERT INTO enrolments (user_id, program_id, created_at) VALUES (?, ?, ?)`, userID, programID, now)
			if err != nil {
				return err
			}
		case err != nil:
			return err
		case lastStatus == talentloop.OrderPending || lastStatus == talentloop.OrderPaid:
			return nil // already enrolled: nothing changes
		}
		created = true
		provider := talentloop.ProviderFor(price)
		status = talentloop.OrderPending
		var paidAt any
		if provider.PaidAtOnce(price) {
			status, paidAt = talentloop.OrderPaid, now
		}
		orderID, err := tx.insert(ctx, `INSERT INTO orders (enrolment_id, user_id, program_id, amount_fen, currency, provider, status, created_at, paid_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, enrolmentID, userID, programID, price, currency, provider.Name(), status, now, paidAt, now)
		if err != nil {
			return err
		}
		if err := tx.orderEvent(ctx, orderID, talentloop.OrderPending, userID, "", ""); err != nil {
			return err
		}
		if status == talentloop.OrderPaid {
			if err := tx.orderEvent(ctx, orderID, talentloop.OrderPaid, 0, "", "free"); err != nil {
				return err
			}
		}
		if income != nil {
			income.Source = "enrolment"
			if err := tx.addIncome(ctx, userID, income, enrolmentID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	e, err := db.FindEnrolment(ctx, userID, programID)
	return e, created, err
}

func (tx *Tx) orderEvent(ctx context.Context, orderID int64, status string, actorID int64, reference, note string) error {
	var actor any
	if actorID > 0 {
		actor = actorID
	}
	_, err := tx.exec(ctx, `INSERT INTO order_events (order_id, status, actor_id, reference, note, at) VALUES (?, ?, ?, ?, ?, ?)`, orderID, status, actor, reference, note, tx.db.now())
	return err
}

func (tx *Tx) addIncome(ctx context.Context, userID int64, r *talentloop.IncomeReport, enrolmentID int64) error {
	var enr, income any
	if enrolmentID > 0 {
		enr = enrolmentID
	}
	if r.MonthlyIncomeFen != nil {
		income = *r.MonthlyIncomeFen
	}
	r.ReportedAt = tx.db.now()
	id, err := tx.insert(ctx, `INSERT INTO income_reports (user_id, monthly_income_fen, employment, source, enrolment_id, reported_at) VALUES (?, ?, ?, ?, ?, ?)`,
		userID, income, r.Employment, r.Source, enr, r.ReportedAt)
	r.ID = id
	return err
}

// AddIncomeReport adds a report to the learner's income history.
func (db *DB) AddIncomeReport(ctx context.Context, userID int64, r *talentloop.IncomeReport) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Source == "" {
		r.Source = "profile"
	}
	return db.withTx(ctx, func(tx *Tx) error { return tx.addIncome(ctx, userID, r, 0) })
}

// FindIncomeReports returns a learner's income history, newest first.
func (db *DB) FindIncomeReports(ctx context.Context, userID int64) ([]*talentloop.IncomeReport, error) {
	rows, err := db.query(ctx, `SELECT id, monthly_income_fen, employment, source, reported_at FROM income_reports WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.IncomeReport
	for rows.Next() {
		r := &talentloop.IncomeReport{}
		var income sql.NullInt64
		if err := rows.Scan(&r.ID, &income, &r.Employment, &r.Source, &r.ReportedAt); err != nil {
			return nil, err
		}
		if income.Valid {
			r.MonthlyIncomeFen = &income.Int64
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// enrolmentSelect reads enrolments with their newest order.
const enrolmentSelect = `SELECT e.id, e.user_id, e.program_id, p.title_zh, p.title_en, p.chain, p.duration_weeks, e.created_at, ` + orderCols + `
	FROM enrolments e JOIN programs p ON p.id = e.program_id
	JOIN orders o ON o.enrolment_id = e.id AND ` + latestOrderSQL + ` JOIN users u ON u.id = o.user_id`

func (db *DB) scanEnrolments(ctx context.Context, q string, args ...any) ([]*talentloop.Enrolment, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*talentloop.Enrolment
	type extra struct{ weeks int }
	weeks := map[int64]int{}
	for rows.Next() {
		e := &talentloop.Enrolment{Order: &talentloop.Order{}}
		o := e.Order
		var w int
		var paid, refunded, cancelled sql.NullTime
		if err := rows.Scan(&e.ID, &e.UserID, &e.ProgramID, &e.Program.ZH, &e.Program.EN, &e.Chain, &w, &e.CreatedAt,
			&o.ID, &o.EnrolmentID, &o.UserID, &o.UserName, &o.UserEmail, &o.ProgramID, &o.Program.ZH, &o.Program.EN, &o.AmountFen, &o.Currency, &o.Provider, &o.Status, &o.Reference,
			&o.CreatedAt, &paid, &refunded, &cancelled); err != nil {
			return nil, err
		}
		o.PaidAt, o.RefundedAt, o.CancelledAt = nullTime(paid), nullTime(refunded), nullTime(cancelled)
		e.Active = o.Status == talentloop.OrderPaid
		if o.PaidAt != nil {
			due := o.PaidAt.Add(time.Duration(w) * 7 * 24 * time.Hour)
			e.DueAt = &due
		}
		weeks[e.ID] = w
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for _, e := range out {
		st, err := db.programState(ctx, db.read, e.UserID, e.ProgramID)
		if err != nil {
			return nil, err
		}
		e.Progress = st.progress
		var completed sql.NullTime
		var onTime sql.NullBool
		err = db.queryRow(ctx, `SELECT completed_at, on_time FROM program_completions WHERE user_id = ? AND program_id = ?`, e.UserID, e.ProgramID).Scan(&completed, &onTime)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if completed.Valid {
			e.Completed, e.CompletedAt = true, nullTime(completed)
			e.OnTime = &onTime.Bool
		}
	}
	return out, nil
}

// FindEnrolments lists a learner's enrolments, newest first, with progress.
func (db *DB) FindEnrolments(ctx context.Context, userID int64) ([]*talentloop.Enrolment, error) {
	return db.scanEnrolments(ctx, enrolmentSelect+` WHERE e.user_id = ? ORDER BY e.id DESC`, userID)
}

// FindEnrolment returns one enrolment or ENOTFOUND.
func (db *DB) FindEnrolment(ctx context.Context, userID, programID int64) (*talentloop.Enrolment, error) {
	out, err := db.scanEnrolments(ctx, enrolmentSelect+` WHERE e.user_id = ? AND e.program_id = ?`, userID, programID)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, talentloop.Errorf(talentloop.ENOTFOUND, "err.enrolment_not_found")
	}
	return out[0], nil
}

// HasAccess reports whether the learner's enrolment in the program is paid.
func (db *DB) HasAccess(ctx context.Context, userID, programID int64) (bool, error) {
	return hasAccess(ctx, db.read, db, userID, programID)
}

func hasAccess(ctx context.Context, q queryer, db *DB, userID, programID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM enrolments e JOIN orders o ON o.enrolment_id = e.id AND `+latestOrderSQL+`
		WHERE e.user_id = ? AND e.program_id = ? AND o.status = 'paid'`), userID, programID).Scan(&n)
	return n > 0, err
}

// FindOrders lists orders for operators, newest first.
func (db *DB) FindOrders(ctx context.Context, f talentloop.OrderFilter) (_ []*talentloop.Order, total int, err error) {
	defer wrapErr(&err, "FindOrders")
	where, args := []string{"1=1"}, []any{}
	if f.Status != "" {
		where = append(where, `o.status = ?`)
		args = append(args, f.Status)
	}
	if f.ProgramID > 0 {
		where = append(where, `o.program_id = ?`)
		args = append(args, f.ProgramID)
	}
	if q := strings.ToLower(strings.TrimSpace(f.Q)); q != "" {
		where = append(where, `(lower(u.name) LIKE ? ESCAPE '\' OR u.email LIKE ? ESCAPE '\' OR lower(o.reference) LIKE ? ESCAPE '\')`)
		like := "%" + likeEscape(q) + "%"
		args = append(args, like, like, like)
	}
	w := strings.Join(where, " AND ")
	if err := db.queryRow(ctx, `SELECT COUNT(*)`+orderFrom+` WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	rows, err := db.query(ctx, `SELECT `+orderCols+orderFrom+` WHERE `+w+` ORDER BY o.id DESC LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*talentloop.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// FindOrderByID returns an order with its history.
func (db *DB) FindOrderByID(ctx context.Context, id int64) (*talentloop.Order, error) {
	o, err := scanOrder(db.queryRow(ctx, `SELECT `+orderCols+orderFrom+` WHERE o.id = ?`, id))
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT ev.status, COALESCE(ev.actor_id, 0), COALESCE(u.name, ''), ev.reference, ev.note, ev.at FROM order_events ev LEFT JOIN users u ON u.id = ev.actor_id
		WHERE ev.order_id = ? ORDER BY ev.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ev talentloop.OrderEvent
		if err := rows.Scan(&ev.Status, &ev.ActorID, &ev.ActorName, &ev.Reference, &ev.Note, &ev.At); err != nil {
			return nil, err
		}
		o.Events = append(o.Events, ev)
	}
	return o, rows.Err()
}

// changeOrder moves an order from one status to another in a transaction.
func (db *DB) changeOrder(ctx context.Context, actorID, orderID int64, from, to, reference, note string, extra func(tx *Tx, o *talentloop.Order) error) (*talentloop.Order, error) {
	err := db.withTx(ctx, func(tx *Tx) error {
		o, err := scanOrder(tx.queryRow(ctx, `SELECT `+orderCols+orderFrom+` WHERE o.id = ?`, orderID))
		if err != nil {
			return err
		}
		if o.Status != from {
			return talentloop.Errorf(talentloop.ECONFLICT, "err.order_state", o.Status)
		}
		now := db.now()
		col := map[string]string{talentloop.OrderPaid: "paid_at", talentloop.OrderRefunded: "refunded_at", talentloop.OrderCancelled: "cancelled_at"}[to]
		q := `UPDATE orders SET status = ?, ` + col + ` = ?, updated_at = ?`
		args := []any{to, now, now}
		if reference != "" {
			q += `, reference = ?`
			args = append(args, reference)
		}
		// The status in the WHERE makes a concurrent second change a no-op.
		res, err := tx.exec(ctx, q+` WHERE id = ? AND status = ?`, append(args, orderID, from)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return talentloop.Errorf(talentloop.ECONFLICT, "err.order_state", o.Status)
		}
		if err := tx.orderEvent(ctx, orderID, to, actorID, reference, note); err != nil {
			return err
		}
		if err := tx.change(ctx, actorID, "order."+to, fmt.Sprintf("#%d %s · %s", orderID, o.UserName, o.Program.ZH)); err != nil {
			return err
		}
		o.Status = to
		if extra != nil {
			return extra(tx, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindOrderByID(ctx, orderID)
}

// MarkOrderPaid confirms an offline payment with its reference.
func (db *DB) MarkOrderPaid(ctx context.Context, actorID, orderID int64, reference string) (*talentloop.Order, error) {
	reference = strings.TrimSpace(reference)
	if reference == "" || len([]rune(reference)) > 120 {
		return nil, talentloop.Invalid(map[string]string{"reference": "err.reference_required"})
	}
	return db.changeOrder(ctx, actorID, orderID, talentloop.OrderPending, talentloop.OrderPaid, reference, "", func(tx *Tx, o *talentloop.Order) error {
		return tx.notify(ctx, o.UserID, talentloop.NotifyOrderPaid, map[string]string{"program": o.Program.ZH, "program_en": o.Program.EN, "amount": fmt.Sprint(o.AmountFen), "currency": o.Currency, "name": o.UserName},
			fmt.Sprintf("/programs/%d", o.ProgramID))
	})
}

// RefundOrder refunds a paid order; access to the program ends.
func (db *DB) RefundOrder(ctx context.Context, actorID, orderID int64, note string) (*talentloop.Order, error) {
	if len([]rune(note)) > 500 {
		return nil, talentloop.Invalid(map[string]string{"note": "err.too_long"})
	}
	note = strings.TrimSpace(note)
	return db.changeOrder(ctx, actorID, orderID, talentloop.OrderPaid, talentloop.OrderRefunded, "", note, func(tx *Tx, o *talentloop.Order) error {
		return tx.notify(ctx, o.UserID, talentloop.NotifyRefund, map[string]string{"program": o.Program.ZH, "program_en": o.Program.EN, "amount": fmt.Sprint(o.AmountFen),
			"currency": o.Currency, "note": note}, "/learn")
	})
}

// CancelOrder cancels a pending order.
func (db *DB) CancelOrder(ctx context.Context, actorID, orderID int64) (*talentloop.Order, error) {
	return db.changeOrder(ctx, actorID, orderID, talentloop.OrderPending, talentloop.OrderCancelled, "", "", nil)
}
