"""``python -m logitlint``: the command line, without the working directory on ``sys.path``.

``python -m`` puts the working directory first on ``sys.path``, so a ``click.py`` or
``tempfile.py`` at the top of the repository being linted would be imported, and so
run, in place of the real module. The console script has no such entry; here it is
dropped before the command line imports anything.
"""

import os
import sys

if __name__ == "__main__":
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    from logitlint.cli import main

    main()
