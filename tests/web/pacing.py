"""Server-sent events handed to a page one at a time, a fixed gap apart, as a slow network would.

Why: the API writes each event as it happens, but how many of them one read of the socket
returns depends on the box's load (the realtime hub also coalesces a burst of wake-ups into one
read, `api/realtime/hub.py`). A page that applies every event it reads then shows the answer in
as many steps as there were reads: the widget's 40-token test answer in 37-40 steps at load
average 7, once in 7 at load 11, in 2 at load 14. A test that means "the text grows piece by
piece" paces the stream in the page itself, so it sees one render per event whatever the load
(40 of 40 in 10 answers at load 11), and asserts what the user sees then. The server must
still send the answer as separate events: one event would still be one step.
"""

from __future__ import annotations

import json

from playwright.sync_api import BrowserContext, Page

# Wraps window.fetch: a response whose URL contains `match` is re-cut at the event boundaries
# (a blank line) and each event handed on `gapMs` after the one before; the rest is untouched.
PACE_EVENTS = """
({ match, gapMs }) => {
  const realFetch = window.fetch.bind(window)
  window.fetch = async (input, init) => {
    const response = await realFetch(input, init)
    const url = typeof input === 'string' ? input : input.url
    if (!url.includes(match) || !response.body) return response
    const reader = response.body.getReader()
    const encoder = new TextEncoder(), decoder = new TextDecoder()
    let buffer = ''
    const body = new ReadableStream({
      async pull(controller) {
        for (;;) {
          const end = /\\r?\\n\\r?\\n/.exec(buffer)
          if (end) {
            await new Promise((resolve) => setTimeout(resolve, gapMs))
            const cut = end.index + end[0].length
            controller.enqueue(encoder.encode(buffer.slice(0, cut)))
            buffer = buffer.slice(cut)
            return
          }
          const { value, done } = await reader.read()
          if (done) {
            if (buffer) controller.enqueue(encoder.encode(buffer))
            controller.close()
            return
          }
          buffer += decoder.decode(value, { stream: true })
        }
      },
      cancel(reason) {
        return reader.cancel(reason)
      }
    })
    const { status, statusText, headers } = response
    return new Response(body, { status, statusText, headers })
  }
}
"""


def pace_events(page: Page, match: str, gap_ms: int) -> None:
    """From now on, in this page: streams whose URL contains `match` arrive one event per gap."""
    page.evaluate(PACE_EVENTS, {"match": match, "gapMs": gap_ms})


def pace_events_from_the_start(context: BrowserContext, match: str, gap_ms: int) -> None:
    """The same in every page and frame the context opens afterwards, before their own scripts
    run: for a stream a page opens as it loads (the widget's session stream)."""
    args = json.dumps({"match": match, "gapMs": gap_ms})
    context.add_init_script(script=f"({PACE_EVENTS})({args})")
