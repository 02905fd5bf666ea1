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
REVIEW_UNDO = "peersim.review_undo"  # (the item as it was before the last rating, the rating, its interval)
"""The review item whose answer is showing."""

STUDIO_OPEN = "peersim.studio_open"
"""What the studio has open: 'a:<id>' for a studio scenario, 'l:<id>' for a library one."""

STUDIO_UPLOADED = "peersim.studio_uploaded"
"""The file ids of uploads already turned into drafts (an upload stays in its widget across reruns)."""

STUDIO_PLAYTEST = "peersim.studio_playtest"
STUDIO_PLAYTEST_SEEDS = "peersim.studio_playtest_seeds"  # content hash -> the play-test's shuffle seed
"""Play-test paths by scenario version: lists of (node id, choice id). Never recorded."""
