#!/usr/bin/python3
#
# ice-demos' IceGrid/sessionActivation client (cpp11/IceGrid/sessionActivation/Client.cpp, 3.7
# branch) ported to Python, statement for statement, so that it runs with the Python demo's
# Hello.ice and config.client. One change: at the end of stdin it exits with status 1 instead of
# asking for a user id again for ever.
#

import sys
import Ice
import IceGrid

Ice.loadSlice('Hello.ice')
import Demo


def run(communicator):
    registry = IceGrid.RegistryPrx.checkedCast(communicator.stringToProxy("DemoIceGrid/Registry"))
    if not registry:
        print("could not contact registry")
        return 1

    session = None
    while not session:
        print("This demo accepts any user-id / password combination.")

        sys.stdout.write("user id: ")
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            return 1
        id = line.strip()

        sys.stdout.write("password: ")
        sys.stdout.flush()
        password = sys.stdin.readline().strip()

        try:
            session = registry.createSession(id, password)
            break
        except IceGrid.PermissionDeniedException as ex:
            print("permission denied:\n" + ex.reason)

    #
    # Enable heartbeats on the session connection to maintain the
    # connection alive even if idle.
    #
    session.ice_getConnection().setACM(registry.getACMTimeout(), Ice.Unset, Ice.ACMHeartbeat.HeartbeatOnIdle)

    status = 0
    try:
        hello = Demo.HelloPrx.checkedCast(session.allocateObjectById(Ice.stringToIdentity("hello")))

        menu()

        c = 'x'
        while True:
            try:
                sys.stdout.write("==> ")
                sys.stdout.flush()
                c = sys.stdin.readline().strip()
                if c == 't':
                    hello.sayHello()
                elif c == 'x':
                    pass  # Nothing to do
                elif c == '?':
                    menu()
                elif c == '':
                    break  # end of stdin
                else:
                    print("unknown command `" + c + "'")
                    menu()
            except Ice.Exception as ex:
                print(ex)
            if c == 'x':
                break
    except IceGrid.AllocationException as ex:
        print("could not allocate object: " + ex.reason)
        status = 1
    except IceGrid.ObjectNotRegisteredException:
        print("object not registered with registry")
        status = 1
    except Exception as ex:
        print("unexpected exception: " + str(ex))
        status = 1

    session.destroy()

    return status


def menu():
    print("""
usage:
t: send greeting
x: exit
?: help
""")


with Ice.initialize(sys.argv, "config.client") as communicator:
    if len(sys.argv) > 1:
        print(sys.argv[0] + ": too many arguments")
        sys.exit(1)
    sys.exit(run(communicator))
