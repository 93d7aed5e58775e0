#!/usr/bin/env bash
# The undo journals' durable home: a branch of this repository (default
# aim-undo-journal) that holds nothing but journal files, one commit per run.
# An artifact expires and download-artifact never fetches one from an earlier
# run; a branch is kept as long as the repository, and its history shows which
# run wrote what.
#
#   journal-branch.sh restore DIR   put the branch's journal files into DIR
#                                   (nothing to do when the branch does not exist yet)
#   journal-branch.sh save DIR MSG  commit DIR's journal files onto the branch and push
#
# Only files named like journals are kept (journal-*.jsonl, undo-*.jsonl): the Okta
# snapshot cache in the same folder holds tenant data and never leaves the runner.
# The working tree and the checked-out branch are never touched (plumbing on a
# private index). restore notes the tip it read (DIR/.journal-branch-tip); save
# refuses when another run saved since, and the push is never forced: a run
# that lost a race fails the step and overwrites nothing (its journal is still
# in DIR; give the job a concurrency group so it does not happen).
#
# Environment: JOURNAL_BRANCH (default aim-undo-journal), JOURNAL_REMOTE (default
# origin). With GITHUB_TOKEN set, pushes to the repository with that token, so
# the checkout can keep persist-credentials: false; the job needs
# `permissions: contents: write`.
set -euo pipefail

branch="${JOURNAL_BRANCH:-aim-undo-journal}"
remote="${JOURNAL_REMOTE:-origin}"
if [[ -n "${GITHUB_TOKEN:-}" && -n "${GITHUB_REPOSITORY:-}" ]]; then
  server="${GITHUB_SERVER_URL:-https://github.com}"
  remote="https://x-access-token:${GITHUB_TOKEN}@${server#https://}/${GITHUB_REPOSITORY}.git"
fi
pattern='^(journal|undo)-[A-Za-z0-9_.-]+\.jsonl$'

usage() {
  echo "usage: journal-branch.sh restore DIR | save DIR MESSAGE" >&2
  exit 1
}

# The branch's tip, or nothing when it does not exist yet.
fetch_tip() {
  if git fetch --quiet --no-tags "$remote" "refs/heads/$branch" 2>/dev/null; then
    git rev-parse FETCH_HEAD
  fi
}

cmd="${1:-}"
dir="${2:-}"
[[ -n "$cmd" && -n "$dir" ]] || usage

case "$cmd" in
  restore)
    mkdir -p "$dir"
    tip="$(fetch_tip)"
    if [[ -z "$tip" ]]; then
      echo "journal-branch: no branch $branch yet: nothing to restore"
      echo "none" >"$dir/.journal-branch-tip"
      exit 0
    fi
    n=0
    while IFS= read -r name; do
      [[ "$name" =~ $pattern ]] || continue
      git show "$tip:$name" >"$dir/$name"
      n=$((n + 1))
    done < <(git ls-tree --name-only "$tip")
    echo "$tip" >"$dir/.journal-branch-tip"
    echo "journal-branch: restored $n journal file(s) from $branch ($tip) into $dir"
    ;;
  save)
    message="${3:-}"
    [[ -n "$message" ]] || usage
    tip="$(fetch_tip)"
    if [[ -f "$dir/.journal-branch-tip" && "$(cat "$dir/.journal-branch-tip")" != "${tip:-none}" ]]; then
      echo "journal-branch: another run saved to $branch since this one restored ($(cat "$dir/.journal-branch-tip") -> ${tip:-none}): not saving over it. The journal of this run is in $dir; merge it by hand (journals are JSON lines, one run record each) or re-run." >&2
      exit 1
    fi
    index="$(mktemp)"
    rm -f "$index"
    trap 'rm -f "$index"' EXIT
    export GIT_INDEX_FILE="$index"
    if [[ -n "$tip" ]]; then git read-tree "$tip"; else git read-tree --empty; fi
    n=0
    shopt -s nullglob
    for file in "$dir"/*; do
      name="$(basename "$file")"
      [[ -f "$file" && "$name" =~ $pattern ]] || continue
      blob="$(git hash-object -w "$file")"
      git update-index --add --cacheinfo "100644,$blob,$name"
      n=$((n + 1))
    done
    tree="$(git write-tree)"
    if [[ -n "$tip" && "$tree" == "$(git rev-parse "$tip^{tree}")" ]]; then
      echo "journal-branch: $branch already holds these $n journal file(s)"
      exit 0
    fi
    if [[ "$n" -eq 0 && -z "$tip" ]]; then
      echo "journal-branch: no journal file in $dir: nothing to save"
      exit 0
    fi
    commit="$(git -c user.name="${GIT_AUTHOR_NAME:-aim-journal}" -c user.email="${GIT_AUTHOR_EMAIL:-aim-journal@users.noreply.github.com}" \
      commit-tree "$tree" ${tip:+-p "$tip"} -m "$message")"
    # Not forced: a run that pushed meanwhile makes this fail instead of losing its records.
    git push --quiet "$remote" "$commit:refs/heads/$branch"
    echo "$commit" >"$dir/.journal-branch-tip"
    echo "journal-branch: saved $n journal file(s) to $branch ($commit)"
    ;;
  *) usage ;;
esac
