package httpapi

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the registry's Prometheus metrics, registered on their own registry (no globals).
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	writes   *prometheus.HistogramVec
}

// NewMetrics creates and registers the metrics, with Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "floe_ice_requests_total",
			Help: "Ice requests served by the registry objects, by operation and result.",
		}, []string{"operation", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "floe_ice_request_duration_seconds",
			Help:    "Time to serve Ice requests (lookups and registrations), by operation.",
			Buckets: []float64{5e-6, 10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 0.1, 0.25},
		}, []string{"operation"}),
	}
	m.writes = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "floe_store_write_duration_seconds",
		Help:    "Durable store writes (fsync or quorum), by operation and result.",
		Buckets: []float64{50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 0.1, 0.25, 1},
	}, []string{"operation", "result"})
	m.Registry.MustRegister(m.requests, m.latency, m.writes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest implements locator.Observer.
func (m *Metrics) ObserveRequest(op, result string, d time.Duration) {
	m.requests.WithLabelValues(op, result).Inc()
	m.latency.WithLabelValues(op).Observe(d.Seconds())
}

// ObserveStoreWrite records one store write; use it with store.Observed.
func (m *Metrics) ObserveStoreWrite(op string, d time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.writes.WithLabelValues(op, result).Observe(d.Seconds())
}

// WatchInvalid exports how many stored records were not applied because they do not decode or
// validate (ZooKeeper content written by hand, for instance).
func (m *Metrics) WatchInvalid(count func() int) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "floe_store_invalid_records",
		Help: "Stored records (adapters, objects, applications) not applied because they do not decode or validate.",
	}, func() float64 { return float64(count()) }))
}

// WatchCounter exports a counter that f reads when Prometheus scrapes (a component's own
// count, such as the ZooKeeper change log's).
func (m *Metrics) WatchCounter(name, help string, f func() int64) {
	m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
		func() float64 { return float64(f()) }))
}
