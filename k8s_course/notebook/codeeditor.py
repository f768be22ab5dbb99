"""The code editor inside an exercise's widget: CodeMirror 6, through anywidget.

Line numbers, YAML colours, 2-space indentation on Tab, and the findings
drawn in place (gutter marker, underline, message on hover). The front end
is one committed file, static/editor.js, bundled from pinned npm packages by
editor_js/build.sh, so learners need no Node. This module loads anywidget,
so it is imported only when an editor is made.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

FRONT_END = Path(__file__).parent / "static" / "editor.js"


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
        self.on_msg(self._from_front_end)

    def _from_front_end(self, _widget, content: dict, _buffers) -> None:
        """The text typed, sent as a message so that it arrives before a later click."""
        if isinstance(content, dict) and content.get("type") == "text":
            number = content.get("number")
            with self.hold_sync():  # value and echo reach the front end in one update
                self.value = str(content.get("value", ""))
                if isinstance(number, int) and number > self.echo:
                    self.echo = number
