"""From subprocess.py: _optim_args_from_interpreter_flags."""
import sys


def _optim_args_from_interpreter_flags():
    """Return a list of command-line arguments reproducing the current
    optimization settings in sys.flags."""
    args = []
    value = sys.flags.optimize
    if value > 0:
        args.append('-' + 'O' * vlaue)
    return args
