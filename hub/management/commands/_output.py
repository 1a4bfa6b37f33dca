"""Stable output for operators' scripts: ``key: value`` lines, or one JSON object."""
import json


def emit(command, data: dict, *, as_json: bool) -> None:
    if as_json:
        command.stdout.write(json.dumps(data, sort_keys=True))
    else:
        for key, value in data.items():
            command.stdout.write(f"{key}: {value}")
