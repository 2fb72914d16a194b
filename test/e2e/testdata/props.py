#!/usr/bin/python3
# A server (real ZeroC Ice 3.7 for Python) that reports its properties, for the no-restart
# update tests. Deployed by IceGrid or Floe, it gets --Ice.Config=<its config file>, whose
# Ice.Admin.Endpoints and Ice.Admin.ServerId make the Ice runtime create the admin object
# (facets Process and Properties) and register it with the locator.
#
#   /usr/bin/python3 props.py [Ice args]
#
# Prints on stdout, flushed at once:
#   STARTED <name>=<value> ...   at start-up: every property whose name starts with "Test."
#   UPDATED <name>=<value> ...   for each Properties::setProperties that changed something: the
#                                changed properties, sorted; a removed one has an empty value
# Runs until its communicator is shut down (Ice::Process::shutdown), then exits 0.
import sys

import Ice


def line(word, props):
    return word + "".join(" %s=%s" % (k, props[k]) for k in sorted(props)) + "\n"


class Callback(Ice.PropertiesAdminUpdateCallback):
    def updated(self, changes):
        sys.stdout.write(line("UPDATED", changes))
        sys.stdout.flush()


def main():
    with Ice.initialize(sys.argv) as communicator:
        communicator.findAdminFacet("Properties").addUpdateCallback(Callback())
        sys.stdout.write(line("STARTED", communicator.getProperties().getPropertiesForPrefix("Test.")))
        sys.stdout.flush()
        communicator.waitForShutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
