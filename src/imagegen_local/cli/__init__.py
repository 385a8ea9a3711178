"""`imagegen`: the pipeline from a terminal, with the same core library the Lambda functions run.

Real AWS by default (the standard credential chain and region); the offline world when
AWS_ENDPOINT_URL_BEDROCK_RUNTIME and AWS_ENDPOINT_URL_S3 point at the emulator and a local S3.
Settings come from flags, then IMAGEGEN_* variables, then the profile. One module per command;
the options of a request come from the field table (`imagegen.models.fields`), and every command
turns its arguments into the API's JSON body (`body.py`).
"""

from .main import main
from .parser import build_parser

__all__ = ["build_parser", "main"]
