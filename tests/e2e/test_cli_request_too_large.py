"""`imagegen modify` of a source too large for InvokeModel's 25,000,000-byte body: one readable
line naming the limit, exit code 2, and no model call."""

from tests.unit.test_invoke_body_limit import big_source


def test_modify_refuses_a_source_too_large_for_invoke_model_in_one_line_before_any_call(run, emulator):
    source = run.tmp / "big.png"
    source.write_bytes(big_source())
    calls = len(emulator.calls)
    code, _, err = run(
        "modify",
        source,
        "the fox in autumn",
        "--mode",
        "variation",
        "--model",
        "stability.sd3-5-large-v1:0",
        "--strength",
        "0.5",
        "--output-dir",
        run.tmp / "upd",
    )
    lines = err.splitlines()
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("imagegen: the request to ")
    assert "InvokeModel takes at most 25,000,000 bytes" in lines[0]
    assert len(emulator.calls) == calls
