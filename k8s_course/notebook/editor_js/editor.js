// The exercise editor's front end: CodeMirror 6 in an anywidget.
//
// The kernel owns the text and the findings. This side shows them: it sends
// the text after a short pause in typing (or at once when the editor loses
// focus, so a button press always grades what is on screen), and draws the
// findings it gets back as gutter markers and underlines with the message on
// hover. `npm run build` bundles this file into ../static/editor.js.
//
// The text goes as a message of its own, not as a state update: ipywidgets
// holds back a state update while an earlier one is unanswered. Even a message
// is not enough for the buttons: ipykernel 7 may handle a click before a text
// message sent just before it. So a button's press in the kernel first asks
// for the text ("flush"), and acts on the answer.
// The kernel's copy of `value` then comes back as a state update; each text
// goes out with a number, and the kernel says (`echo`) which text its value
// answers, so a late echo of older text never replaces what was typed since.

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { HighlightStyle, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import {
  EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";

const SEND_DELAY = 400; // ms of quiet typing before the kernel sees the text

// Colours: each pair reaches 4.5:1 on JupyterLab's light (#fff) and dark (#111) page.
const STYLE = `
.k8se{--k8se-key:#0b4f8a;--k8se-string:#a31515;--k8se-number:#14663f;--k8se-atom:#6f2da8;
  --k8se-comment:#5a6565;--k8se-text:#1f1f1f;--k8se-muted:#5f5f5f;--k8se-error:#c62828;
  --k8se-warning:#a15c00;--k8se-info:#00677a;--k8se-back:var(--jp-layout-color0,#fff);
  --k8se-line:rgba(127,127,127,.08)}
[data-jp-theme-light=false] .k8se{--k8se-key:#79b8ff;--k8se-string:#ff9a9a;
  --k8se-number:#85e89d;--k8se-atom:#d2a8ff;--k8se-comment:#a0abab;--k8se-text:#e8e8e8;
  --k8se-muted:#a8a8a8;--k8se-error:#ff6b6b;--k8se-warning:#ffb454;--k8se-info:#56d4e8;
  --k8se-back:var(--jp-layout-color0,#111)}
.k8se .cm-editor{border:1px solid var(--jp-border-color1,#bdbdbd);border-radius:3px;
  background:var(--k8se-back);color:var(--k8se-text)}
.k8se .cm-editor.cm-focused{outline:2px solid var(--jp-brand-color1,#1976d2);outline-offset:-1px}
.k8se .cm-scroller{font-family:var(--jp-code-font-family,monospace);
  font-size:var(--jp-code-font-size,13px);line-height:1.45}
.k8se .cm-gutters{background:var(--k8se-back);color:var(--k8se-muted);border-right:1px solid
  var(--jp-border-color2,#e0e0e0)}
.k8se .cm-activeLine,.k8se .cm-activeLineGutter{background:var(--k8se-line)}
.k8se .cm-content{caret-color:var(--k8se-text)}
.k8se .cm-cursor{border-left-color:var(--k8se-text)}
.k8se .cm-tooltip{background:var(--jp-layout-color1,#fff);color:var(--k8se-text);
  border:1px solid var(--jp-border-color1,#bdbdbd)}
.k8se .cm-diagnostic{font-family:var(--jp-ui-font-family,sans-serif);font-size:12px;
  max-width:60ch;white-space:pre-wrap}
.k8se .cm-diagnosticSource{opacity:1;color:var(--k8se-muted)}
.k8se .cm-diagnostic-error{border-left-color:var(--k8se-error)}
.k8se .cm-diagnostic-warning{border-left-color:var(--k8se-warning)}
.k8se .cm-diagnostic-info{border-left-color:var(--k8se-info)}
.k8se .k8se-live{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`;

const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: "var(--k8se-key)" },
  { tag: [tags.string, tags.special(tags.string), tags.content], color: "var(--k8se-string)" },
  { tag: tags.number, color: "var(--k8se-number)" },
  { tag: [tags.bool, tags.null, tags.atom, tags.keyword], color: "var(--k8se-atom)" },
  { tag: [tags.comment, tags.lineComment], color: "var(--k8se-comment)", fontStyle: "italic" },
  { tag: [tags.punctuation, tags.separator, tags.squareBracket, tags.brace, tags.meta,
    tags.labelName, tags.typeName, tags.attributeValue], color: "var(--k8se-text)" },
]);

// A finding from the kernel -> a CodeMirror diagnostic on the current text.
function diagnostic(doc, finding) {
  const lineNumber = Math.min(Math.max(finding.line, 1), doc.lines);
  const line = doc.line(lineNumber);
  const from = Math.min(line.from + Math.max(finding.column - 1, 0), line.to);
  const to = Math.min(from + Math.max(finding.length, 1), line.to);
  return { from, to: Math.max(to, from), severity: finding.severity, message: finding.message,
    source: finding.rule };
}

function addStyle() {
  if (document.getElementById("k8se-style")) return;
  const style = document.createElement("style");
  style.id = "k8se-style";
  style.textContent = STYLE;
  document.head.appendChild(style);
}

function render({ model, el }) {
  addStyle();
  el.classList.add("k8se");
  const live = document.createElement("div");
  live.className = "k8se-live";
  live.setAttribute("aria-live", "polite");
  let timer = null;
  let sent = model.get("value");
  let number = model.get("echo"); // of the last text sent

  // `request`: the kernel asked for the text (a button was pressed), so it goes even unchanged
  const send = (request) => {
    clearTimeout(timer);
    timer = null;
    const text = view.state.doc.toString();
    if (text === sent && request === undefined) return;
    if (text !== sent || number < model.get("echo")) {
      sent = text;
      // past the kernel's echo too: another view of this editor may have sent more
      number = Math.max(number, model.get("echo")) + 1;
    }
    model.send({ type: "text", value: text, number, request });
  };

  const view = new EditorView({
    parent: el,
    state: EditorState.create({
      doc: model.get("value"),
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(),
        history(), yaml(), syntaxHighlighting(highlight), lintGutter(),
        indentUnit.of("  "), EditorState.tabSize.of(2),
        // Tab indents; Escape then Tab leaves the editor (CodeMirror's keyboard escape hatch)
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": model.get("label"),
          "aria-multiline": "true" }),
        EditorView.theme({ "&": { minHeight: `${model.get("rows") * 1.45}em` },
          ".cm-scroller": { minHeight: `${model.get("rows") * 1.45}em` } }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) {
            clearTimeout(timer);
            timer = setTimeout(send, SEND_DELAY);
          }
        }),
        EditorView.domEventHandlers({ blur: () => { send(); } }),
      ],
    }),
  });
  el.appendChild(live);
  const answer = (message) => {
    if (message && message.type === "flush") send(message.request);
  };
  model.on("msg:custom", answer);
  model.send({ type: "view" }); // the kernel asks for the text only where a view can answer

  const showFindings = () => {
    const findings = model.get("findings") || [];
    const doc = view.state.doc;
    view.dispatch(setDiagnostics(view.state, findings.map((f) => diagnostic(doc, f))));
    const count = findings.length;
    live.textContent = count === 0 ? "No findings." : `${count} finding${count === 1 ? "" : "s"}: `
      + findings.map((f) => `line ${f.line}: ${f.message}`).join("; ");
  };
  const takeText = () => {
    if (model.get("echo") < number) return; // the kernel has not seen the latest text yet
    const text = model.get("value");
    if (text !== view.state.doc.toString() && text !== sent) {
      sent = text;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    }
  };
  model.on("change:findings", showFindings);
  model.on("change:value", takeText);
  showFindings();
  return () => {
    model.off("msg:custom", answer);
    send();
    model.off("change:findings", showFindings);
    model.off("change:value", takeText);
    view.destroy();
  };
}

export default { render };
