// Package ha is Floe's high-availability benchmark: three `floe registry` replicas (the built
// bin/floe) sharing a real three-server ZooKeeper ensemble (internal/zktest), measured from the
// outside through their HTTP API and their Ice endpoints:
//
//   - failover: kill -9 of the master → a new master acknowledges a write, at several
//     Floe.ZooKeeper.SessionTimeout values; and a graceful stop (SIGTERM, resign first);
//   - propagation: an acknowledged write on one replica → every other replica serves it, and
//     read-your-writes on the replica that acknowledged it;
//   - ZooKeeper leader kill → the next acknowledged write;
//   - registrations/s through the three replicas against a real IceGrid 3.7 master + 2 slaves
//     driven the same way in the same run (bench/locbench).
//
// It is a benchmark, not a test: it prints numbers and PASS/FAIL against targets, and fails only
// when the harness itself cannot run. Everything lives in _test.go files so that zktest's
// testing.TB helpers can be used; run it with `make bench` or
//
//	go test -run '^$' -bench '^BenchmarkHA$' -benchtime=1x -timeout 40m ./bench/ha
//
// The environment knobs are listed in ha_test.go. Results go to bench/results/<time>/ha.md.
package ha
