"""Session-state keys, named once so pages and tests agree on them."""

SESSION_TOKEN = "peersim.session_token"
"""A server-issued session token, for tests that cannot set the session cookie (AppTest)."""

PLAY = "peersim.play"
"""The attempt being played in this browser session: a ui.play.Play."""

CHOSEN_SCENARIO = "peersim.chosen_scenario"
"""A scenario id picked in the library, waiting on the content note and mode screen."""

REVIEW_ATTEMPT = "peersim.review_attempt"
"""The attempt the Review page opens on."""

FLASH = "peersim.flash"
"""A one-off message to show at the top of the next page run."""

EXAM_ITEM = "peersim.exam_item"
"""Prefix of the key holding the question index being shown, per exam id."""

EXAM_CONFIRM = "peersim.exam_confirm"
"""Set while the submit confirmation is showing."""

EXAM_REVIEW = "peersim.exam_review"
"""The id of the finished exam being reviewed."""

REVIEW_SHOWN = "peersim.review_shown"
"""The review item whose answer is showing."""
