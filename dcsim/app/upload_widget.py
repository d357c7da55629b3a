"""The page's file input: the size is checked in the browser, before anything is sent.

A file crosses the websocket base64-encoded in one message, and a message over the
server's cap drops the connection: the page would go dead instead of saying why. So the
browser reads the file only when it is within the loader's limit
(:data:`dcsim.config.safe_yaml.MAX_BYTES`); a larger one sends its name and size alone,
and the page answers with the loader's one-line refusal. Each choice is numbered, so the
same file chosen twice is read twice.
"""

from __future__ import annotations

import base64
import binascii

import param
from panel.custom import JSComponent

from dcsim.app.upload import check_size, safe_name
from dcsim.config.safe_yaml import MAX_BYTES
from dcsim.errors import UserInputError


class ScenarioInput(JSComponent):
    """``upload`` is ``{"name", "size", "n", "data"}`` (``data`` the file in base64) or,
    for a file over ``limit`` bytes, the same without ``data``."""

    limit = param.Integer(default=MAX_BYTES, constant=True)
    upload = param.Dict(default=None, allow_None=True)

    _esm = """
    export function render({ model }) {
      const input = document.createElement("input")
      input.type = "file"
      input.accept = ".yaml,.yml"
      input.className = "scenario-input"
      let chosen = 0
      input.addEventListener("change", () => {
        const file = input.files[0]
        if (!file) return
        chosen += 1
        const about = {name: file.name, size: file.size, n: chosen}
        if (file.size > model.limit) {
          input.value = ""
          model.upload = about
          return
        }
        const reader = new FileReader()
        reader.onload = () => {
          const url = reader.result
          input.value = ""
          model.upload = {...about, data: url.slice(url.indexOf(",") + 1)}
        }
        reader.readAsDataURL(file)
      })
      return input
    }
    """


def received(upload: dict) -> bytes:
    """The file's bytes; a file the browser held back (over the limit) is refused in the
    loader's one line, and so is anything that is not what this input sends."""
    name = str(upload.get("name") or "")
    data = upload.get("data")
    if data is None:
        check_size(int(upload.get("size") or MAX_BYTES + 1), name)
    try:
        return base64.b64decode(str(data), validate=True)
    except binascii.Error:
        raise UserInputError(f"{safe_name(name)}: the browser sent no file") from None
