"""The project's local world: a Bedrock runtime emulator, a local S3, a dev API server and the
demo. For development and tests only; never part of the Lambda asset."""
