package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"talentloop"
)

func orderFilter(r *http.Request) talentloop.OrderFilter {
	q := r.URL.Query()
	f := talentloop.OrderFilter{Status: q.Get("status"), Q: q.Get("q")}
	f.ProgramID, _ = strconv.ParseInt(q.Get("program"), 10, 64)
	switch f.Status {
	case talentloop.OrderPending, talentloop.OrderPaid, talentloop.OrderRefunded, talentloop.OrderCancelled:
	default:
		f.Status = ""
	}
	return f
}

func (s *Server) handleAdminOrders(w http.ResponseWriter, r *http.Request) error {
	st := state(r)
	f := orderFilter(r)
	if r.URL.Query().Get("format") == "csv" {
		return s.ordersCSV(w, r, f)
	}
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pageNo = max(pageNo, 1)
	const per = 50
	f.Limit, f.Offset = per, (pageNo-1)*per
	orders, total, err := s.Learning.FindOrders(r.Context(), f)
	if err != nil {
		return err
	}
	programs, _, err := s.Catalog.FindPrograms(r.Context(), talentloop.ProgramFilter{IncludeDrafts: true, Limit: 200})
	if err != nil {
		return err
	}
	var sum int64
	for _, o := range orders {
		if o.Status == talentloop.OrderPaid {
			sum += o.AmountFen
		}
	}
	s.render(w, r, 200, "admin_orders", &page{Title: tr(st.lang, "title.orders"), Data: map[string]any{"Orders": orders, "Total": total, "Filter": f,
		"Programs": programs, "Page": pageNo, "HasNext": pageNo*per < total, "PaidSum": sum, "Query": r.URL.Query()}})
	return nil
}

// ordersCSV exports the filtered orders; money stays in integer fen with a
// yuan column beside it for spreadsheets.
func (s *Server) ordersCSV(w http.ResponseWriter, r *http.Request, f talentloop.OrderFilter) error {
	f.Limit = 10000
	orders, _, err := s.Learning.FindOrders(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=orders-%s.csv", time.Now().UTC().Format("20060102")))
	w.Write([]byte("\xEF\xBB\xBF")) // a BOM, so spreadsheet programs read UTF-8 Chinese
	cw := csv.NewWriter(w)
	cw.Write([]string{"order_id", "status", "learner", "email", "program", "amount_fen", "amount_yuan", "currency", "provider", "reference", "created_at", "paid_at", "refunded_at"})
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, o := range orders {
		cw.Write([]string{strconv.FormatInt(o.ID, 10), o.Status, o.UserName, o.UserEmail, o.Program.ZH, strconv.FormatInt(o.AmountFen, 10), formatYuan(o.AmountFen),
			o.Currency, o.Provider, o.Reference, o.CreatedAt.UTC().Format(time.RFC3339), ts(o.PaidAt), ts(o.RefundedAt)})
	}
	cw.Flush()
	return cw.Error()
}

func (s *Server) handleAdminOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.Learning.FindOrderByID(r.Context(), id)
	if err != nil {
		return err
	}
	s.render(w, r, 200, "admin_order", &page{Title: tr(state(r).lang, "title.order"), Data: map[string]any{"Order": o}})
	return nil
}

func (s *Server) orderAction(w http.ResponseWriter, r *http.Request, act func(id int64) (*talentloop.Order, error), flash string) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := act(id); err != nil {
		o, ferr := s.Learning.FindOrderByID(r.Context(), id)
		if ferr != nil {
			return ferr
		}
		return s.formError(w, r, "admin_order", &page{Title: tr(state(r).lang, "title.order"), Data: map[string]any{"Order": o}}, err)
	}
	return s.redirect(w, r, fmt.Sprintf("/admin/orders/%d", id), flash)
}

func (s *Server) handleOrderMarkPaid(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(id int64) (*talentloop.Order, error) {
		return s.Learning.MarkOrderPaid(r.Context(), state(r).user.ID, id, r.PostFormValue("reference"))
	}, "flash.order_paid")
}

func (s *Server) handleOrderRefund(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(id int64) (*talentloop.Order, error) {
		return s.Learning.RefundOrder(r.Context(), state(r).user.ID, id, r.PostFormValue("note"))
	}, "flash.order_refunded")
}

func (s *Server) handleOrderCancel(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(id int64) (*talentloop.Order, error) {
		return s.Learning.CancelOrder(r.Context(), state(r).user.ID, id)
	}, "flash.order_cancelled")
}
