"""The one exception type the CLI turns into a clean message and exit status 2."""


class UserInputError(Exception):
    """Bad input from the user: a config, a CSV, a flag.

    Each entry of ``problems`` is one self-contained line (file, field path, what was
    expected), printed as is; nothing about the program's internals leaks to the user.
    """

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
