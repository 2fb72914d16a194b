package zktest

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Debian's zookeeper package: the jar's manifest Class-Path pulls in netty, jute, jackson,
// jetty, metrics and slf4j-api, but no slf4j binding, so the server would log nothing.
const (
	debianZooKeeperJar = "/usr/share/java/zookeeper.jar"
	debianSLF4JSimple  = "/usr/share/java/slf4j-simple.jar"
)

// DefaultTickTime is the tickTime of a test ensemble unless WithTickTime says otherwise.
// With initLimit 10 and syncLimit 5 a follower is dropped after 1 s of silence from its
// leader, and sessions may be 0.4–60 s.
const DefaultTickTime = 200 * time.Millisecond

// defaultJVMFlags favour start-up time over throughput: C1 only, the serial collector, a
// small heap and the JDK's class-data archive. maxNotificationInterval caps
// FastLeaderElection's back-off (60 s by default), which otherwise stretches elections to
// several seconds when peers come up at different times.
var defaultJVMFlags = []string{
	"-Xmx128m",
	"-Xss512k",
	"-XX:+UseSerialGC",
	"-XX:TieredStopAtLevel=1",
	"-Xshare:auto",
	"-XX:-UsePerfData",
	"-Djava.net.preferIPv4Stack=true",
	"-Dzookeeper.fastleader.minNotificationInterval=100",
	"-Dzookeeper.fastleader.maxNotificationInterval=1000",
	"-Dorg.slf4j.simpleLogger.showDateTime=true",
	"-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
}

// An Option changes how Start configures the servers.
type Option func(*config)

type config struct {
	tickTime  time.Duration
	java      string   // java executable, looked up in PATH
	classpath string   // java -cp
	jvmFlags  []string // before the main class
	extra     []string // extra zoo.cfg lines
}

func newConfig(opts []Option) config {
	cfg := config{
		tickTime:  DefaultTickTime,
		java:      "java",
		classpath: defaultClasspath(),
		jvmFlags:  append([]string(nil), defaultJVMFlags...),
	}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// defaultClasspath is $ZKTEST_CLASSPATH if set, else Debian's jar plus slf4j-simple when
// installed.
func defaultClasspath() string {
	if cp := os.Getenv("ZKTEST_CLASSPATH"); cp != "" {
		return cp
	}
	cp := []string{debianZooKeeperJar}
	if _, err := os.Stat(debianSLF4JSimple); err == nil {
		cp = append(cp, debianSLF4JSimple)
	}
	return strings.Join(cp, string(filepath.ListSeparator))
}

// WithTickTime sets zoo.cfg's tickTime (rounded to milliseconds, at least 1 ms). Sync and
// init limits, session bounds and failure detection all scale with it.
func WithTickTime(d time.Duration) Option {
	return func(c *config) { c.tickTime = max(d.Round(time.Millisecond), time.Millisecond) }
}

// WithClasspath replaces the java -cp value (default: $ZKTEST_CLASSPATH, else Debian's
// zookeeper.jar and slf4j-simple.jar).
func WithClasspath(cp string) Option {
	return func(c *config) { c.classpath = cp }
}

// WithJVMFlags appends JVM flags after the defaults; for repeated flags the JVM keeps the
// last one, so this also overrides them (e.g. "-Xmx256m").
func WithJVMFlags(flags ...string) Option {
	return func(c *config) { c.jvmFlags = append(c.jvmFlags, flags...) }
}

// WithConfig appends "key=value" lines to every server's zoo.cfg; ZooKeeper keeps the last
// value of a repeated key.
func WithConfig(lines ...string) Option {
	return func(c *config) { c.extra = append(c.extra, lines...) }
}
