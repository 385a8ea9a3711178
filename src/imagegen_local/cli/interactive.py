"""`imagegen interactive`: the original script's flow, asking at each step. A prompt makes an
image; then each answer modifies the latest image in the current mode, asking for what that
mode's model takes (a prompt, a mask, margins: see `modes`). /mode switches the mode, /help
says what there is; a failed step prints one line and the session goes on."""

from __future__ import annotations

import base64
import contextlib
import importlib
import sys
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError
from imagegen.errors import ImageGenError
from imagegen.handlers import requests
from imagegen.models import fields
from imagegen.models.tasks import MODIFY_TASKS, Task
from imagegen.pipeline import Pipeline

from . import masks, modes, wording
from .aws import deadline, pipeline_from
from .context import Context, Usage
from .feedback import terminal
from .images import open_files, output_folder, save_images
from .options import MODIFY_DEFAULTS, Parents, add_fields
from .render import describe_images

HELP = """commands (a line that starts with / is one; any other line answers the question):
  /mode MODE   modify in MODE from now on; /mode alone lists the modes and what each asks for
  /help        this help
  /quit        finish, as an empty answer or the end of input (Ctrl-D) do
Ctrl-C cancels the step under way, at its mask or margins question too, as an empty answer or a
/command there does (the command then runs). A mask is white where the image should change: a rectangle
LEFT,TOP,WIDTH,HEIGHT in pixels or % of the image (several separated by ;), a PNG file of the
image's size, or words where the model takes them."""

COMMANDS = ("/mode", "/help", "/quit")

# what the prompt says, by mode
_PROMPT = {
    Task.VARIATION: "what it should show now",
    Task.INPAINT: "what to paint in the masked area",
    Task.OUTPAINT: "what the new borders show",
    Task.REPLACE: "what to put in its place",
    Task.RECOLOR: "the new colours",
    Task.UPSCALE: "what the image shows",
    Task.CONTROL_SKETCH: "what the sketch should become",
    Task.CONTROL_STRUCTURE: "what to show in its structure",
    Task.STYLE_GUIDE: "what to show in its style",
}
# what words for the mask name, by mode
_AREA = {
    Task.INPAINT: "change",
    Task.OUTPAINT: "keep",
    Task.REPLACE: "replace",
    Task.RECOLOR: "recolor",
    Task.ERASE: "erase",
}
_APPLY = ("apply", "a", "yes", "y", "go")


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "interactive",
        parents=[parents.runs],  # no --json: it talks with a person
        help="the original flow, asking at each step",
        description="Ask for a prompt, generate, show and store the image; then ask for modifications and apply "
        "each in turn to the latest image, until an empty answer. Every mode works: the session asks for what "
        "the mode's model takes (a prompt, a mask as a rectangle, a PNG file or words, outpaint's margins). "
        "/mode MODE switches the mode, /help tells the rest; a failed step prints one line and the session goes "
        "on. Arrow keys and history work where Python has readline.",
    )
    add_fields(parser, fields.MODIFY, only=("mode",), defaults=MODIFY_DEFAULTS)
    parser.add_argument(
        "--output-dir", default="generated-images", help="where to save the first image (default: %(default)s)"
    )
    parser.add_argument(
        "--updated-dir", default="updated-images", help="where to save each modification (default: %(default)s)"
    )
    parser.add_argument("--open", action="store_true", help="open each image in the default viewer")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    """A prompt, an image shown and stored, then modifications. An empty answer (or the end of
    input) finishes; with no image made, the exit is the last failure's (or 2: no prompt)."""
    args = ctx.args
    if ctx.ask is input and sys.stdin.isatty():
        _line_editing()
    pipeline = pipeline_from(ctx)
    pipeline.settings.modify_model(args.mode)  # a mode with no model is refused before any image is paid for
    session = Session(ctx, pipeline, Task(args.mode), output_folder(args.output_dir), output_folder(args.updated_dir))
    return session.run()


def _line_editing() -> None:
    """Arrow keys and history for input(): importing readline is all it takes, where Python has it."""
    with contextlib.suppress(ImportError):
        importlib.import_module("readline")


class Session:
    def __init__(self, ctx: Context, pipeline: Pipeline, mode: Task, first: Path, edits: Path) -> None:
        self.ctx, self.pipeline, self.mode = ctx, pipeline, mode
        self.folders = first, edits
        self.image: dict[str, Any] | None = None  # the latest image, as save_images gives it
        self.failure: ImageGenError | None = None
        self.quitting = False

    def run(self) -> int:
        while not self.quitting:
            answer = self.ask(self.question())
            if not answer:
                break
            if answer.startswith("/"):
                self.command(answer)
            else:
                self.attempt(answer)
        if self.image is None:
            if self.failure is not None:
                return self.failure.exit_code
            raise Usage("no prompt given")
        return 0

    # --- asking ------------------------------------------------------------------------------

    def ask(self, question: str, *, in_step: bool = False) -> str:
        """The answer, stripped; "" at the end of input (Ctrl-D). Ctrl-C drops the line and asks
        again, or within a step (`in_step`) answers "", which cancels the step."""
        while True:
            try:
                return self.ctx.ask(question).strip()
            except EOFError:
                print(file=self.ctx.out)  # the terminal's line ends after the question
                return ""
            except KeyboardInterrupt:
                print(file=self.ctx.out)
                if in_step:
                    return ""

    def step_answer(self, question: str) -> str | None:
        """The answer to a step's further question; None cancels the step: an empty answer, Ctrl-C,
        Ctrl-D, or a /command (which runs once the step is cancelled)."""
        answer = self.ask(question, in_step=True)
        if answer and answer.split()[0] not in COMMANDS:  # /tmp/mask.png is a file, not a command
            return answer
        print("cancelled", file=self.ctx.out)
        if answer:
            self.command(answer)
        return None

    def question(self) -> str:
        if self.image is None:
            return "Describe the image to generate: "
        taken = self.takes()
        what = _PROMPT.get(self.mode, "the change") if taken.prompt else "no prompt, answer apply to run it"
        return f"Modification ({self.mode}: {what}; /help; empty to finish): "

    def say(self, line: str) -> None:
        print(f"imagegen: {line}", file=self.ctx.err)

    # --- commands ----------------------------------------------------------------------------

    def command(self, line: str) -> None:
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        if name == "/quit":
            self.quitting = True
        elif name == "/help":
            print(HELP, file=self.ctx.out)
            if self.model():
                print(f"now: {self.mode} with {self.model()}: {self.takes().asks()}", file=self.ctx.out)
        elif name == "/mode" and not rest:
            print("modes, with the model each uses and what it asks for:", file=self.ctx.out)
            width = max(len(task) for task in MODIFY_TASKS)
            for task in MODIFY_TASKS:
                model = self.model(task)
                asks = f"{model}: {modes.takes(model, task).asks()}" if model else "(no model configured)"
                print(f"  {task:<{width}}  {asks}", file=self.ctx.out)
        elif name == "/mode":
            if rest not in MODIFY_TASKS:
                return self.say(f"no mode {rest}; the modes: {', '.join(MODIFY_TASKS)}")
            try:
                self.pipeline.settings.modify_model(rest)
            except ImageGenError as exc:
                return self.say(exc.message)
            self.mode = Task(rest)
            print(f"mode {self.mode}, with {self.model()}: {self.takes().asks()}", file=self.ctx.out)
        else:
            self.say(f"no command {name}; /help lists them")

    def model(self, task: Task | None = None) -> str | None:
        return self.pipeline.settings.modify_models.get(task or self.mode)

    def takes(self) -> modes.Takes:
        return modes.takes(str(self.model()), self.mode)

    # --- steps -------------------------------------------------------------------------------

    def attempt(self, answer: str) -> None:
        """One step; its failure is one line, and the session goes on."""
        try:
            if self.image is None:
                self.generate(answer)
            else:
                self.modify(answer)
        except ImageGenError as exc:
            self.failure = exc
            self.say(wording.message(exc, wording.asked_as))
        except Usage as exc:
            self.say(exc.message)
        except (BotoCoreError, OSError, ValueError) as exc:
            self.say(str(exc))
        except KeyboardInterrupt:
            self.say("interrupted: the step is cancelled")

    def generate(self, prompt: str) -> None:
        with terminal(self.ctx.err).waiting("generating"):
            answer = self.pipeline.generate(requests.generate_input({"prompt": prompt}), deadline())
        self.show("generated", answer, self.folders[0])

    def modify(self, answer: str) -> None:
        taken = self.takes()
        image = self.image or {}
        body: dict[str, Any] = {"image_id": image["image_id"], "mode": self.mode.value}
        if taken.prompt:
            body["prompt"] = answer
        elif answer.lower() not in _APPLY:
            return self.say(f"{self.mode} with {taken.model} takes no prompt: answer apply to run it, or a /command")
        if taken.mask and not self.fill_mask(body, taken, (image["width"], image["height"])):
            return
        if taken.margins and not self.fill_margins(body):
            return
        with terminal(self.ctx.err).waiting(f"modifying ({self.mode})"):
            edit = self.pipeline.modify(requests.modify_input(body), deadline())
        self.show(f"{self.mode} of {image['image_id']}", edit, self.folders[1])

    def fill_mask(self, body: dict[str, Any], taken: modes.Takes, size: masks.Size) -> bool:
        area = f"a rectangle {masks.RECT_FORM} in pixels or % of {size[0]}x{size[1]}, or a PNG file"
        if taken.mask_prompt and taken.mask_image:
            question = f"Mask for {self.mode}: words for what to {_AREA[self.mode]}, {area} (empty to cancel): "
        elif taken.mask_image:
            question = f"Mask for {self.mode} (white = change): {area} (empty to cancel): "
        else:
            question = f"What to {_AREA[self.mode]}, in words (empty to cancel): "
        while (answer := self.step_answer(question)) is not None:
            if not taken.mask_image:
                body["mask_prompt"] = answer
                return True
            try:
                field, value = masks.answer_mask(answer, size, words=taken.mask_prompt)
            except (Usage, OSError) as exc:
                self.say(exc.message if isinstance(exc, Usage) else str(exc))
                continue
            body[field] = base64.b64encode(value).decode() if field == "mask_image" else value
            return True
        return False

    def fill_margins(self, body: dict[str, Any]) -> bool:
        question = (
            f"Margins for {self.mode}: pixels to add LEFT,RIGHT,UP,DOWN, or one number for every side "
            "(empty to cancel): "
        )
        while (answer := self.step_answer(question)) is not None:
            parts = [part.strip() for part in answer.split(",")]
            if len(parts) in (1, 4) and all(part.isdigit() for part in parts):
                sides = [int(part) for part in parts] * (4 if len(parts) == 1 else 1)
                body["margins"] = dict(zip(("left", "right", "up", "down"), sides, strict=True))
                return True
            self.say(f"{answer}: margins are LEFT,RIGHT,UP,DOWN in pixels (such as 0,256,0,0), or one number")
        return False

    def show(self, title: str, answer: dict[str, Any], folder: Path) -> None:
        images = save_images(self.pipeline, answer, folder)
        print(describe_images(title, images, answer), file=self.ctx.out)
        if self.ctx.args.open:
            open_files(images[:1], self.ctx.err)
        self.image = images[0]
