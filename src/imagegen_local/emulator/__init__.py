"""A Bedrock runtime emulator: InvokeModel and Converse over HTTP on loopback, validating each
request as Bedrock documents it, answering with emulated (and visibly marked) images and verdicts."""
