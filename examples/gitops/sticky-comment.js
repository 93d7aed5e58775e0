// @ts-check
/**
 * One pull-request comment per marker, edited in place on every run, for
 * actions/github-script:
 *
 *   const upsert = require("./.aimctl-src/examples/gitops/sticky-comment.js");
 *   await upsert({ github, context, marker: "<!-- aimctl-plan -->", body });
 *
 * The comment is found by the hidden marker on its first line among every
 * comment of the pull request (all pages), written by a bot, so it is never
 * "the bot's last comment" (which another step or workflow may have posted)
 * and never a person's comment that quotes the marker. Plain JavaScript: the
 * runner executes it as it is, without a build step.
 */
"use strict";

/** GitHub refuses comment bodies over 65,536 characters; stay below, with room for the note. */
const MAX_BODY = 65000;

/**
 * @param {{
 *   github: any, // an authenticated Octokit with the pagination plugin (github-script's `github`)
 *   context: { repo: { owner: string, repo: string }, issue: { number: number } },
 *   marker: string,
 *   body: string,
 * }} args
 * @returns {Promise<{ action: "created" | "updated", id: number }>}
 */
module.exports = async function upsertStickyComment({ github, context, marker, body }) {
  if (!/^<!--[\s\S]*-->$/.test(marker))
    throw new Error(
      `marker must be an HTML comment such as "<!-- aimctl-plan -->", got ${JSON.stringify(marker)}`,
    );
  if (!context.issue || !context.issue.number)
    throw new Error(
      "no pull request number in the workflow context: run this on pull_request events",
    );
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  let text = `${marker}\n${body}`;
  if (text.length > MAX_BODY)
    text = `${text.slice(0, MAX_BODY)}\n\n… (cut at ${MAX_BODY} characters: the whole plan is in the run's artifacts)\n`;

  /** @type {Array<{ id: number, body?: string | null, user?: { type?: string } | null }>} */
  const comments = await github.paginate(github.rest.issues.listComments, {
    owner,
    repo,
    issue_number,
    per_page: 100,
  });
  const mine = comments.find(
    (c) => c.user?.type === "Bot" && typeof c.body === "string" && c.body.startsWith(`${marker}\n`),
  );
  if (mine) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body: text });
    return { action: "updated", id: mine.id };
  }
  const { data } = await github.rest.issues.createComment({
    owner,
    repo,
    issue_number,
    body: text,
  });
  return { action: "created", id: data.id };
};
