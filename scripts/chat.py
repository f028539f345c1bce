"""Chat with the running assistant in a terminal, over the REST channel.

    .venv/bin/python scripts/chat.py [--url http://127.0.0.1:5005]
"""
import argparse
import json
import urllib.request
import uuid


def send(url: str, sender: str, text: str) -> list:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    sender = uuid.uuid4().hex
    print("Type a message (empty line or Ctrl+D to stop). Buttons: type their number.")
    buttons: list = []
    while True:
        try:
            text = input("> ").strip()
        except EOFError:
            break
        if not text:
            break
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        buttons = []
        for message in send(args.url, sender, text):
            if message.get("text"):
                print("LSE:", message["text"])
            for button in message.get("buttons", []):
                buttons.append(button)
                print(f"   [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    main()
