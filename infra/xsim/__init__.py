"""X API v2 simulator for tests, the demo and the benchmark (never deployed).

``Simulator(seed=1).start(port=0)`` serves it on 127.0.0.1; see ``server.py`` for the
control API and ``python -m infra.xsim --help`` for the command line.
"""

from infra.xsim.generator import DEFAULT_ACCOUNTS, Account, Generator, accounts_from_agencies
from infra.xsim.server import Simulator

__all__ = ["DEFAULT_ACCOUNTS", "Account", "Generator", "Simulator", "accounts_from_agencies"]
