// Command floor is a benchmark yardstick, not a registry: an Ice server that answers every
// twoway request with the same canned Locator::findAdapterById reply and does nothing else. It
// reads and writes exactly as Floe's connections do (a goroutine per connection, Go's net
// package), so its CPU per lookup is what any Go server pays here for the system calls and the
// scheduler; bench/floor.sh runs it next to Floe and IceGrid.
package main

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"

	"floe/ice/encoding"
	"floe/ice/protocol"
	"floe/ice/reference"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:4461", "TCP address to listen on")
	proxy := flag.String("proxy", "bench:tcp -h 127.0.0.1 -p 9999", "the proxy every reply carries")
	flag.Parse()
	reply, err := cannedReply(*proxy)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(os.Stderr, "floor: listening on", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c, reply)
	}
}

// cannedReply is a Reply message (request id 0, patched per request) whose result is the proxy.
func cannedReply(s string) ([]byte, error) {
	r, err := reference.Parse(s, reference.Defaults{})
	if err != nil {
		return nil, err
	}
	e := protocol.NewMessage(nil, protocol.Reply)
	e.WriteInt(0)
	_ = e.WriteByte(byte(protocol.ReplyOK))
	p := encoding.NewEncoder(nil, encoding.Encoding11)
	reference.Write(p, r)
	e.WriteEncapsulation(encoding.Encoding11, p.Bytes())
	return protocol.FinishMessage(e), nil
}

// serve validates the connection, then answers each request until the peer closes or sends
// anything malformed.
func serve(c net.Conn, reply []byte) {
	defer c.Close()
	if _, err := c.Write(protocol.ValidateConnectionMessage); err != nil {
		return
	}
	buf := make([]byte, 0, 64<<10)
	out := make([]byte, 0, 4<<10)
	for {
		n, err := c.Read(buf[len(buf):cap(buf)])
		if err != nil {
			if !errors.Is(err, io.EOF) {
				log.Print(err)
			}
			return
		}
		var used int
		out, used, err = answer(buf[:len(buf)+n], out[:0], reply)
		if err != nil {
			log.Print(err)
			return
		}
		buf = buf[:copy(buf, buf[used:len(buf)+n])]
		if len(out) > 0 {
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	}
}

// errClose stops serving a connection whose peer sent CloseConnection.
var errClose = errors.New("the peer closed the connection")

// answer appends to out a reply to each twoway request among the whole messages in buf and
// returns how many bytes of buf it consumed.
func answer(buf, out, reply []byte) ([]byte, int, error) {
	used := 0
	for len(buf)-used >= protocol.HeaderSize {
		h, err := protocol.ParseHeader(buf[used:], cap(buf))
		if err != nil {
			return out, used, err
		}
		if len(buf)-used < h.Size {
			break
		}
		switch h.Type {
		case protocol.Request:
			if h.Size < protocol.HeaderSize+4 {
				return out, used, errors.New("request too short")
			}
			if id := buf[used+protocol.HeaderSize : used+protocol.HeaderSize+4]; binary.LittleEndian.Uint32(id) != 0 {
				out = append(out, reply...)
				copy(out[len(out)-len(reply)+protocol.HeaderSize:], id)
			}
		case protocol.CloseConnection:
			return out, used, errClose
		case protocol.BatchRequest, protocol.Reply, protocol.ValidateConnection:
		}
		used += h.Size
	}
	return out, used, nil
}
