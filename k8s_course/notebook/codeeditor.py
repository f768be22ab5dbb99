"""The code editor inside an exercise's widget: CodeMirror 6, through anywidget.

Line numbers, YAML colours, 2-space indentation on Tab, and the findings
drawn in place (gutter marker, underline, message on hover). The front end
is one committed file, static/editor.js, bundled from pinned npm packages by
editor_js/build.sh, so learners need no Node. This module loads anywidget,
so it is imported only when an editor is made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets

FRONT_END = Path(__file__).parent / "static" / "editor.js"
# Seconds to wait for the front end's text before a button acts on the text the
# kernel already has (a front end that stopped answering must not hang a button).
FRONT_END_WAIT = 5.0


class CodeEditor(anywidget.AnyWidget):
    """`value` is the text (synced a moment after typing stops); `findings` are drawn on it."""

    _esm = FRONT_END
    value = traitlets.Unicode("").tag(sync=True)
    findings = traitlets.List(traitlets.Dict()).tag(sync=True)  # see marks.py
    label = traitlets.Unicode("YAML answer").tag(sync=True)  # what a screen reader announces
    rows = traitlets.Int(12).tag(sync=True)  # the height it opens with, in lines
    # the number of the front end's text that `value` holds: its echo of older
    # text, still on the way when newer text was typed, must not replace it
    echo = traitlets.Int(0).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._front_end_seen = False
        self._asked = 0  # the number of the last request for the front end's text
        self._waiting: dict[int, tuple[Callable[[], None], asyncio.TimerHandle]] = {}
        self.on_msg(self._from_front_end)

    def when_current(self, then: Callable[[], None]) -> None:
        """Call `then` once `value` holds the text the front end shows.

        ipykernel 7 may handle a button's click before a text message sent
        just before it (comm messages that arrive while another is handled run
        concurrently), so a button asks the front end for its text and acts on
        the answer. Without a front end, or outside an event loop, it acts at once.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or not self._front_end_seen:
            then()
            return
        self._asked += 1
        request = self._asked
        self._waiting[request] = (then, loop.call_later(FRONT_END_WAIT, self._answered, request))
        self.send({"type": "flush", "request": request})

    def _answered(self, request: object) -> None:
        """Run what waited for this request (once: other views may answer it too)."""
        waiting = self._waiting.pop(request, None) if isinstance(request, int) else None
        if waiting is not None:
            then, timer = waiting
            timer.cancel()
            then()

    def _from_front_end(self, _widget, content: dict, _buffers) -> None:
        """A view says hello, or sends its text: after typing stops, or when a button asks."""
        if not isinstance(content, dict):
            return
        self._front_end_seen = True
        if content.get("type") != "text":
            return
        number = content.get("number")
        if not isinstance(number, int) or number > self.echo:  # older text never wins
            with self.hold_sync():  # value and echo reach the front end in one update
                self.value = str(content.get("value", ""))
                if isinstance(number, int):
                    self.echo = number
        self._answered(content.get("request"))
