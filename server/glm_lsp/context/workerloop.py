"""The loop a parser process runs (`workers.WorkerPool`): calls come pickled on stdin,
answers go pickled to stdout. Apart from the pool, so that a worker imports nothing it
does not run: its boot is part of a cold start.
"""

import os
import pickle
import sys


def serve() -> None:
    """A worker's loop: each call read from stdin is run and answered on stdout, until
    stdin ends. Stray output of a call goes to stderr, never into the answers."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    calls = sys.stdin.buffer
    while True:
        try:
            fn, args, kwargs = pickle.load(calls)
        except EOFError:
            return
        except Exception as error:  # a call that does not unpickle here
            answer: tuple[bool, object] = (False, f"{type(error).__name__}: {error}")
        else:
            try:
                answer = (True, fn(*args, **kwargs))
            except Exception as error:
                answer = (False, f"{type(error).__name__}: {error}")
        pickle.dump(answer, answers, pickle.HIGHEST_PROTOCOL)
        answers.flush()


if __name__ == "__main__":
    serve()
