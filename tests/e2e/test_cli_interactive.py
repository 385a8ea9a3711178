"""`imagegen interactive` in-process against the offline world: every modify mode, each asking
for what its model takes, /mode and /help, and a failed step that ends nothing."""

import json
import re

from imagegen import png
from imagegen.clock import SystemClock
from imagegen.storage import make_s3_client
from imagegen.usecases import generation

from tests.e2e.conftest import BUCKET
from tests.imagefactory import mask_png


class Script:
    """A person at the keyboard: answers in turn (an answer can be a function of the question),
    every question kept; then the end of input."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.questions = []

    def __call__(self, question):
        self.questions.append(question)
        if not self.answers:
            raise EOFError
        answer = self.answers.pop(0)
        return answer(question) if callable(answer) else answer


def folders(run):
    return "--output-dir", run.tmp / "gen", "--updated-dir", run.tmp / "upd"


def stored_meta(image_id):
    body = make_s3_client("us-west-2").get_object(Bucket=BUCKET, Key=f"images/{image_id}/meta.json")["Body"]
    return json.loads(body.read())


def size_in(question):
    """The source's size, as the mask question names it."""
    width, height = re.search(r"(\d+)x(\d+)", question).groups()
    return int(width), int(height)


def test_every_mode_asks_for_what_its_model_takes_and_a_failed_step_ends_nothing(run, sent, emulator, monkeypatch):
    monkeypatch.setattr(SystemClock, "sleep", lambda self, seconds: None)  # throttling retries at once
    drawn = run.tmp / "drawn.png"

    def drawn_mask(question):  # a PNG the user drew: the left half, of the size the question names
        width, height = size_in(question)
        drawn.write_bytes(mask_png(width, height, white_box=(0, 0, width // 2, height), mode="RGB"))
        return str(drawn)

    def throttled(answer):
        def give(question):
            emulator.configure(throttle_rate=1.0 if answer else 0.0)
            return answer or "a snowy valley"

        return give

    script = Script(
        "a red fox in snow",
        "autumn colours",  # variation, the --mode given
        "a fox [blocked]",  # filtered: one line, and on
        "/mode inpaint",
        "a knitted hat",
        "25%,25%,50%,50%",
        "/mode erase",
        "apply",
        drawn_mask,
        "/mode replace",
        "a wolf",
        "the fox",
        "/mode recolor",
        "bright blue",
        "the sky",
        "/mode outpaint",
        "a wide valley",
        "3000",  # past the model's limit: refused, and on
        throttled("a wide valley"),  # throttled on every try: one line, and on
        "64",
        throttled(""),
        "0,0,64,0",
        "/mode remove-background",
        "apply",
        "",
    )
    code, out, err = run("interactive", "--mode", "variation", *folders(run), ask=script)
    assert code == 0, err
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert "content filters blocked the prompt" in lines[0]
    assert lines[1].startswith("imagegen: the left margin 3000 is not allowed") and "0 to 2000" in lines[1]
    assert "throttl" in lines[2].lower()
    made = [m.group(1) for m in re.finditer(r"^(\S+) of \S+$", out, re.MULTILINE)]
    assert made == ["variation", "inpaint", "erase", "replace", "recolor", "outpaint", "remove-background"]
    ids = re.findall(r"^  image (\S+) ", out, re.MULTILINE)
    chain = [stored_meta(image_id)["lineage"] for image_id in ids[1:]]
    assert [link["mode"] for link in chain] == made
    assert [link["parent_id"] for link in chain] == ids[:-1]  # each step modifies the one before

    by_task = {request.task.value: request for _, request in sent}
    inpaint = pixels(by_task["inpaint"].mask_image)
    height, width = len(inpaint), len(inpaint[0])
    assert inpaint[height // 2][width // 2] == "#" and inpaint[0][0] == inpaint[-1][-1] == "."
    assert inpaint[height // 4][width // 4] == "#" and inpaint[height // 4 - 1][width // 4] == "."
    assert pixels(by_task["erase"].mask_image)[0] == "#" * (width // 2) + "." * (width - width // 2)
    assert (by_task["replace"].prompt, by_task["replace"].mask_prompt) == ("a wolf", "the fox")
    assert (by_task["recolor"].prompt, by_task["recolor"].mask_prompt) == ("bright blue", "the sky")
    assert by_task["outpaint"].margins.as_dict() == {"left": 0, "right": 0, "up": 64, "down": 0}
    assert by_task["remove-background"].prompt is None
    mask_question = next(q for q in script.questions if "% of" in q)
    assert "rectangle LEFT,TOP,WIDTH,HEIGHT" in mask_question and "PNG file" in mask_question


def pixels(mask):
    return ["".join("#" if v == 255 else "." for v in row) for row in png.decode(mask).rows]


def test_help_and_mode_say_what_each_mode_takes_and_mistakes_are_asked_again(run, sent):
    script = Script(
        "/help",
        "a red fox in snow",
        "/mode",
        "/mode nosuch",
        "/bogus",
        "/mode inpaint",
        "/help",
        "a knitted hat",
        "1,2,3",  # not a rectangle: said, and asked again
        "0,0,10,10",
        "/mode upscale",
        "a sharper fox",  # upscale (fast) takes no prompt: said, and asked again
        "apply",
        "/quit",
        "never read",
    )
    code, out, err = run("interactive", *folders(run), ask=script)
    assert code == 0, err
    assert script.answers == ["never read"]
    shown = " ".join(out.split())
    assert "/mode MODE" in shown and "/quit" in shown
    assert "inpaint stability.stable-image-inpaint-v1:0: a prompt, a mask image" in shown
    assert "outpaint stability.stable-outpaint-v1:0: a prompt, margins" in shown
    assert "replace stability.stable-image-search-replace-v1:0: a prompt, words for the mask" in shown
    assert "upscale stability.stable-fast-upscale-v1:0: nothing more" in shown
    assert err.splitlines() == [
        "imagegen: no mode nosuch; the modes: variation, inpaint, outpaint, remove-background, replace, recolor, "
        "erase, upscale, control-sketch, control-structure, style-guide, style-transfer",
        "imagegen: no command /bogus; /help lists them",
        "imagegen: 1,2,3: a rectangle is LEFT,TOP,WIDTH,HEIGHT, in pixels or % of the image (such as 25%,25%,50%,50%)",
        "imagegen: upscale with stability.stable-fast-upscale-v1:0 takes no prompt: answer apply to run it, "
        "or a /command",
    ]
    assert [request.task.value for _, request in sent] == ["generate", "inpaint", "upscale"]


def test_a_filtered_first_prompt_is_asked_again(run):
    code, out, err = run("interactive", *folders(run), ask=Script("a fox [blocked]", "a fox", ""))
    assert code == 0 and out.count("generated") == 1
    assert err.count("\n") == 1 and "content filters blocked the prompt" in err
    code, _, err = run("interactive", *folders(run), ask=Script("a fox [blocked]"))
    assert code == 3 and "content filters" in err  # the session ended with no image: the failure's exit


def test_an_interrupted_step_is_cancelled_and_the_session_goes_on(run, monkeypatch):
    calls = []

    def interrupt(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return modify(*args, **kwargs)

    modify = generation.modify
    monkeypatch.setattr(generation, "modify", interrupt)
    code, out, err = run("interactive", *folders(run), ask=Script("a fox", "snow", "rain", "fog", ""))
    assert code == 0 and out.count("variation of") == 2
    assert "imagegen: interrupted: the step is cancelled" in err


def test_with_titan_and_canvas_a_mask_can_be_words_a_rectangle_or_a_file(run, sent, emulator, local_env):
    local_env.setenv("IMAGEGEN_MODEL_SET", "original")  # Titan v2 and Nova Canvas, for accounts that keep them
    local_env.setenv("AWS_REGION", "us-east-1")  # where they run
    emulator.configure(serve_retired=True)
    script = Script(
        "a red fox in snow",
        "/mode inpaint",
        "a knitted hat",
        "the fox's head",  # words
        "/mode outpaint",
        "a wide valley",
        "10%,10%,80%,80%",  # a rectangle
        "/mode erase",
        "apply",
        "the hat",
        "",
    )
    code, out, err = run("interactive", *folders(run), ask=script)
    assert code == 0, err
    edits = [(r.task.value, r.mask_prompt, r.mask_image is not None) for _, r in sent if r.task.value != "generate"]
    assert edits == [("inpaint", "the fox's head", False), ("outpaint", None, True), ("erase", "the hat", False)]
    assert "words for what to keep" in next(q for q in script.questions if "outpaint" in q and "Mask" in q)


def test_a_mode_without_a_model_is_refused_before_any_image_is_made(run, emulator, local_env):
    local_env.setenv("IMAGEGEN_MODEL_SET", "original")  # no upscaler
    calls = len(emulator.calls)
    code, _, err = run("interactive", "--mode", "upscale", *folders(run), ask=Script("x"))
    assert code == 2 and "upscale" in err and "as this deployment is configured" in err
    assert len(emulator.calls) == calls


def interrupted(question):
    raise KeyboardInterrupt


def test_ctrl_c_or_a_command_at_a_steps_question_cancels_the_step_and_the_session_goes_on(run, sent):
    script = Script(
        "a red fox in snow",
        "/mode inpaint",
        "a knitted hat",
        interrupted,  # Ctrl-C at the mask question: the step is cancelled
        "a knitted hat",
        "/mode outpaint",  # a command at the mask question: cancelled, and the command runs
        "a wide valley",
        interrupted,  # Ctrl-C at the margins question
        "a wide valley",
        "/quit",  # ends the session from within a step
        "never read",
    )
    code, out, err = run("interactive", *folders(run), ask=script)
    assert (code, err) == (0, "")
    assert out.count("cancelled") == 4 and "mode outpaint, with " in out
    assert script.answers == ["never read"]
    assert [request.task.value for _, request in sent] == ["generate"]  # nothing but the first image was made
    mask_questions = [q for q in script.questions if q.startswith("Mask for inpaint")]
    assert len(mask_questions) == 2  # asked once per step, not again after Ctrl-C


def test_the_end_of_input_ends_the_questions_line(run):
    code, out, _ = run("interactive", *folders(run), ask=Script("a fox"))
    assert code == 0 and out.endswith("\n\n")  # Ctrl-D leaves the terminal on a line of its own
