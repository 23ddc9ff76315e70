package web

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed openapi.json
var openapiJSON []byte

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Logger.Warn("health check failed", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "database": "down"})
		return nil
	}
	writeJSON(w, 200, map[string]any{"status": "ok", "database": "up", "version": s.Config.Version})
	return nil
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	s.static.ServeHTTP(w, r)
	return nil
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openapiJSON)
	return nil
}

// metrics keeps request counts and latency histograms per route and status,
// rendered in the Prometheus text format.
type metrics struct {
	mu       sync.Mutex
	requests map[metricKey]*histogram
}

type metricKey struct {
	route  string
	status int
}

var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newMetrics() *metrics { return &metrics{requests: map[metricKey]*histogram{}} }

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := metricKey{route, status}
	h := m.requests[k]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.requests[k] = h
	}
	sec := d.Seconds()
	for i, b := range latencyBuckets {
		if sec <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

func promLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m := s.metrics
	m.mu.Lock()
	keys := make([]metricKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].status < keys[j].status
	})
	var b strings.Builder
	b.WriteString("# HELP talentloop_http_requests_total HTTP requests by route and status.\n# TYPE talentloop_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "talentloop_http_requests_total{route=\"%s\",status=\"%d\"} %d\n", promLabel(k.route), k.status, m.requests[k].n)
	}
	b.WriteString("# HELP talentloop_http_request_duration_seconds HTTP request latency by route and status.\n# TYPE talentloop_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		h := m.requests[k]
		labels := fmt.Sprintf("route=\"%s\",status=\"%d\"", promLabel(k.route), k.status)
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(&b, "talentloop_http_request_duration_seconds_bucket{%s,le=\"%g\"} %d\n", labels, le, cum)
		}
		fmt.Fprintf(&b, "talentloop_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.n)
		fmt.Fprintf(&b, "talentloop_http_request_duration_seconds_sum{%s} %g\n", labels, h.sum)
		fmt.Fprintf(&b, "talentloop_http_request_duration_seconds_count{%s} %d\n", labels, h.n)
	}
	m.mu.Unlock()
	write, read := s.DB.Stats()
	b.WriteString("# HELP talentloop_db_open_connections Open database connections by pool.\n# TYPE talentloop_db_open_connections gauge\n")
	fmt.Fprintf(&b, "talentloop_db_open_connections{pool=\"write\"} %d\ntalentloop_db_open_connections{pool=\"read\"} %d\n", write.OpenConnections, read.OpenConnections)
	b.WriteString("# HELP talentloop_db_in_use_connections Database connections in use by pool.\n# TYPE talentloop_db_in_use_connections gauge\n")
	fmt.Fprintf(&b, "talentloop_db_in_use_connections{pool=\"write\"} %d\ntalentloop_db_in_use_connections{pool=\"read\"} %d\n", write.InUse, read.InUse)
	b.WriteString("# HELP talentloop_db_wait_count_total Waits for a database connection by pool.\n# TYPE talentloop_db_wait_count_total counter\n")
	fmt.Fprintf(&b, "talentloop_db_wait_count_total{pool=\"write\"} %d\ntalentloop_db_wait_count_total{pool=\"read\"} %d\n", write.WaitCount, read.WaitCount)
	b.WriteString("# HELP talentloop_db_wait_seconds_total Time waited for a database connection by pool.\n# TYPE talentloop_db_wait_seconds_total counter\n")
	fmt.Fprintf(&b, "talentloop_db_wait_seconds_total{pool=\"write\"} %g\ntalentloop_db_wait_seconds_total{pool=\"read\"} %g\n", write.WaitDuration.Seconds(), read.WaitDuration.Seconds())
	w.Write([]byte(b.String()))
	return nil
}
