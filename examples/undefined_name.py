"""An example with an undefined name: fixloop offers the missing import."""


def config_dir(home: str) -> str:
    return str(pathlib.Path(home) / ".config")
