"""Bedrock's errors as the emulator answers them: the HTTP status, the x-amzn-ErrorType header
and a JSON body {"message": ...}, which is what botocore reads into a ClientError."""

from __future__ import annotations


class BedrockError(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def validation(message: str) -> BedrockError:
    return BedrockError("ValidationException", message, 400)


def malformed(detail: str) -> BedrockError:
    return validation(f"Malformed input request: {detail}, please reformat your input and try again.")


def invalid_model() -> BedrockError:
    return validation("The provided model identifier is invalid.")


def profile_required(model_id: str) -> BedrockError:
    return validation(
        f"Invocation of model ID {model_id} with on-demand throughput isn\u2019t supported. Retry your request with "
        "the ID or ARN of an inference profile that contains this model."
    )


def end_of_life() -> BedrockError:
    return BedrockError(
        "ResourceNotFoundException",
        "This model version has reached the end of its life. Please refer to the AWS documentation for more details.",
        404,
    )


def access_denied() -> BedrockError:
    return BedrockError("AccessDeniedException", "You don't have access to the model with the specified model ID.", 403)


def throttled() -> BedrockError:
    return BedrockError("ThrottlingException", "Too many requests, please wait before trying again.", 429)


def blocked(what: str) -> BedrockError:
    return validation(
        f"This request has been blocked by our content filters. Please adjust your {what} to submit a new request."
    )


def unsupported_operation() -> BedrockError:
    return validation(
        "This action doesn't support the model that you provided. Try again with a supported text or chat model."
    )
