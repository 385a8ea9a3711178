"""`imagegen models`: the registry as a table (no AWS call, no bucket)."""

from __future__ import annotations

from typing import Any

from imagegen.models.registry import all_models
from imagegen.models.request import Task

from .context import Context
from .options import Parents
from .render import MODELS_HEADER, MODELS_WRAP, model_doc, model_row, table


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "models",
        parents=[parents.output],
        help="the model registry as a table",
        description="Every model the project knows: its roles, lifecycle, regions and price.",
    )
    parser.add_argument("--task", choices=[t.value for t in Task], help="only models that can do this")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    task = ctx.args.task
    docs = [model_doc(m, task) for m in all_models() if not task or m.supports(task)]
    rows = [MODELS_HEADER, *(model_row(doc) for doc in docs)]
    ctx.emit(table(rows, wrap=MODELS_WRAP), {"command": "models", "models": docs})
    return 0
