#!/usr/bin/python3
# Produces golden property parses with the real Ice 3.7.8 (run: /usr/bin/python3 gen.py; writes
# lines.json, files.json and args.json here).
#
# lines.json: each line is written to a file of its own and loaded with Properties.load; the
# result is the property set, and whether Ice warned "invalid config file entry". The lines are
# hand-picked ones, then random ones over an alphabet of the characters that matter (fixed seed).
# files.json: whole files (BOM, CRLF, no final newline). args.json: command lines given to
# Ice.createProperties, with the arguments it leaves and the properties it sets.
import json
import os
import random
import tempfile

import Ice


class Recorder(Ice.Logger):
    def __init__(self):
        self.invalid = 0

    def _print(self, message):
        pass

    def trace(self, category, message):
        pass

    def warning(self, message):
        if message.startswith("invalid config file entry"):
            self.invalid += 1

    def error(self, message):
        pass

    def getPrefix(self):
        return ""

    def cloneWithPrefix(self, prefix):
        return self


logger = Recorder()
Ice.setProcessLogger(logger)
here = os.path.dirname(os.path.abspath(__file__))

HANDPICKED = [
    "", "   ", "# comment", "  # indented comment", "a=b", "  a  =  b  ", "a = b # comment", "a=b#c",
    "a=", "a= ", "=b", "= ", "a", "a b", "a b=c", "a\tb = c\td", "a=b\\", "a\\", "\\", "\\ ", "\\=",
    "a\\=b=c", "a\\#b=c\\#d", "a=\\#", "a=b\\\\", "a=\\\\\\#", "a=x\\ ", "a=x \\ ", "a=x\\  ", "a=\\ x",
    "a= \\ x", "a=\\ \\ x\\ \\ ", "a=x\\ \\", "a=x \\", "a=b\\ c", "a=b \\ c", "a\\ b=c", "a \\ b=c",
    "\\ a=b", "a\\ =b", "a\\x=b\\y", "a\\\t=b", "a=b\\\t", "a\r=b\r", "a=b\r", "a=\rb", "a=b\\\r",
    "a==b", "a=b=c", "a#=b", "#a=b", "\\#a=b", "a=\\=b", "k=v\\", "k=\\", "é=ü", "k=☃ x ☃",
    "IceGrid.Registry.Client.Endpoints=tcp -p 4061", "IceBox.Service.S=svc:create --Ice.Config='a b'",
    "Path=C:\\dir\\sub", "Path=C:\\\\dir\\\\", "a\t=\tb\t", "\ta=b", "a=\\\\ ", "a=\\\\\\ ",
]

ALPHABET = ["a", "b", ".", "\\", "#", "=", " ", "\t", "\r", "é"]


def load(text):
    fd, path = tempfile.mkstemp()
    try:
        os.write(fd, text.encode("utf-8"))
        os.close(fd)
        props = Ice.createProperties()
        logger.invalid = 0
        props.load(path)
        return props.getPropertiesForPrefix(""), logger.invalid
    finally:
        os.remove(path)


def lines():
    rnd = random.Random(37)
    out = list(HANDPICKED)
    for _ in range(600):
        out.append("".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(1, 10))))
    golden = []
    for line in out:
        props, invalid = load(line + "\n")
        golden.append({"line": line, "invalid": invalid > 0, "props": props})
    return golden


FILES = [
    "\ufeffa=b\nc=d\n", "\ufeff\ufeffa=b\n", "a=b\n\ufeffc=d\n", "a=b\r\nc=d\r\n", "a=b\nc=d", "a=1\na=2\n",
    "a=1\na=\n", "a=1\n\nb=2\n\n", "a=b\\\nc=d\n", "a=b\\\r\nc=d\r\n",
]


def files():
    golden = []
    for text in FILES:
        props, invalid = load(text)
        golden.append({"file": text, "invalid": invalid, "props": props})
    return golden


ARGS = [
    ["--Ice.Trace.Network=1"], ["--Ice.Trace.Network"], ["--Ice.Trace.Network= 2 # comment"],
    ["--IceGrid.InstanceName=  Demo  "], ["--IceGrid.X\\=Y=a\\ "], ["--Ice.A B=c"], ["--Ice.Q#=1"],
    ["--Ice", "--Ice.", "--IceX.Y=1", "--Other.X=1", "positional", "-x"], ["--Ice.Trace.Network=1", "--Ice.Trace.Network="],
    ["--Ice.Default.Locator=IceGrid/Locator:tcp -h 127.0.0.1 -p 4061"], ["--Ice.Warn.Connections=1\\"],
    ["--Ice.Trace.Network=\\#1"], ["--Ice.Trace.Network=a=b"], ["--Ice.Trace.Network=1", "--Ice.Trace.Network=2"],
    ["--IceGrid.Node.Name=n#1"], ["--Glacier2.X=1", "--Freeze.Y=2", "--IceSSL.Z=3", "--IceStorm.W=4"],
]


def args():
    golden = []
    for a in ARGS:
        argv = ["prog"] + a
        logger.invalid = 0
        props = Ice.createProperties(argv).getPropertiesForPrefix("")
        props.pop("Ice.ProgramName", None)
        golden.append({"args": a, "rest": argv[1:], "invalid": logger.invalid, "props": props})
    return golden


for name, data in (("lines", lines()), ("files", files()), ("args", args())):
    with open(os.path.join(here, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
