/**
 * Runs the steps of a GitHub Actions job from the workflow file itself (read
 * with js-yaml, so a test cannot drift from the file): `run:` steps with bash
 * as Actions does (`bash --noprofile --norc -eo pipefail`), with the
 * workflow's, job's and step's `env:` and $GITHUB_OUTPUT / $GITHUB_STEP_SUMMARY;
 * actions/github-script steps through githubScriptRunner.ts. Other `uses:`
 * steps (checkout, setup-node, artifacts) are what the test's workspace
 * stands in for, and `npm ci` is the test's own install.
 *
 * Only what the examples need is supported, and anything else fails loudly:
 * `${{ }}` in env values may be a plain context path (vars.X, secrets.X,
 * env.X, steps.ID.outputs.X, github.X); `run:` scripts may hold no `${{ }}`
 * at all (values reach them through env, which is also what keeps tenant or
 * pull-request text out of the script) and no `if:` but `always()`.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string | number | boolean>;
  with?: Record<string, string | number | boolean>;
  "continue-on-error"?: boolean;
}

export interface Job {
  if?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  env?: Record<string, string>;
  steps: Step[];
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  env?: Record<string, string | number | boolean>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

export const ROOT = join(__dirname, "..", "..");

export function loadWorkflow(file: string): { workflow: Workflow; text: string } {
  const text = readFileSync(join(ROOT, file), "utf8");
  return { workflow: yaml.load(text) as Workflow, text };
}

export interface RunContext {
  workspace: string;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  github?: Record<string, unknown>;
  /** The fake pull request file github-script steps read and write. */
  pullRequestFile?: string;
  /** Outputs of steps that ran elsewhere (a `uses:` step the harness cannot run). */
  stepOutputs?: Record<string, Record<string, string>>;
  /** Run only the steps with these labels (id, else name); the others count as skipped. */
  onlySteps?: string[];
}

export interface StepResult {
  label: string;
  kind: "run" | "github-script" | "skipped";
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

export interface JobResult {
  ok: boolean;
  steps: StepResult[];
  summary: string;
  /** The job's `outputs:`, evaluated as Actions does after the last step. */
  outputs: Record<string, string>;
  step(idOrName: string): StepResult;
}

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g;
const CONTEXT_PATH = /^(vars|secrets|env|steps|github)(\.[A-Za-z_][\w-]*)+$/;

/** Substitutes `${{ context.path }}`; a missing value is "" as in Actions. */
export function evaluate(value: string, scope: Record<string, unknown>): string {
  return value.replace(EXPRESSION, (_, expr: string) => {
    if (!CONTEXT_PATH.test(expr))
      throw new Error(`expression not supported by the test harness: \${{ ${expr} }}`);
    let v: unknown = scope;
    for (const part of expr.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
    return v === undefined || v === null ? "" : String(v);
  });
}

function evalEnv(
  env: Record<string, string | number | boolean> | undefined,
  scope: Record<string, unknown>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env ?? {}).map(([k, v]) => [k, evaluate(String(v), scope)]),
  );
}

/** name=value lines and name<<DELIM … DELIM blocks, as $GITHUB_OUTPUT holds them. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i] as string);
      out[heredoc[1] as string] = body.join("\n");
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

function exec(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

let counter = 0;

/** Runs `jobName`'s steps in order; a failing step without continue-on-error ends the job. */
export async function runJob(
  workflow: Workflow,
  jobName: string,
  ctx: RunContext,
): Promise<JobResult> {
  const job = workflow.jobs[jobName];
  if (!job) throw new Error(`no job ${jobName} in workflow ${workflow.name}`);
  const ws = ctx.workspace;
  const summaryFile = join(ws, `.step-summary-${++counter}`);
  writeFileSync(summaryFile, "");
  const steps: Record<string, { outputs: Record<string, string> }> = Object.fromEntries(
    Object.entries(ctx.stepOutputs ?? {}).map(([id, outputs]) => [id, { outputs }]),
  );
  const scope: Record<string, unknown> = {
    vars: ctx.vars ?? {},
    secrets: ctx.secrets ?? {},
    github: ctx.github ?? {},
    steps,
    env: {},
  };
  const workflowEnv = evalEnv(workflow.env, scope);
  scope.env = workflowEnv;
  const jobEnv = { ...workflowEnv, ...evalEnv(job.env, scope) };
  scope.env = jobEnv;
  const results: StepResult[] = [];
  let ok = true;
  for (const [i, step] of job.steps.entries()) {
    const label = step.id ?? step.name ?? step.uses ?? `step ${i + 1}`;
    const skip = (): void => {
      results.push({ label, kind: "skipped", code: 0, stdout: "", stderr: "", outputs: {} });
    };
    const isScript = step.uses?.startsWith("actions/github-script@") ?? false;
    if (
      (step.uses && !isScript) ||
      step.run?.trim().startsWith("npm ci") ||
      (ctx.onlySteps && !ctx.onlySteps.includes(label))
    ) {
      skip();
      continue;
    }
    // `always()` is the one condition supported: the step runs after a failed one too.
    const always = step.if === "always()";
    if (!ok && !always) {
      skip();
      continue;
    }
    if (step.if && !always)
      throw new Error(`${jobName}/${label}: the harness runs no step with if: other than always()`);
    const outputFile = join(ws, `.output-${++counter}`);
    writeFileSync(outputFile, "");
    const env: Record<string, string> = {
      PATH: `${join(process.execPath, "..")}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? "/tmp",
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_WORKSPACE: ws,
      GITHUB_RUN_ID: String(ctx.github?.run_id ?? "1"),
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...jobEnv,
      ...evalEnv(step.env, scope),
    };
    let r: { code: number; stdout: string; stderr: string };
    if (isScript) {
      const script = String(step.with?.script ?? "");
      if (!ctx.pullRequestFile) throw new Error(`${jobName}/${label}: no fake pull request given`);
      const scriptFile = join(ws, `.github-script-${++counter}.js`);
      writeFileSync(scriptFile, script);
      r = await exec(
        process.execPath,
        [
          "-r",
          "ts-node/register/transpile-only",
          join(__dirname, "githubScriptRunner.ts"),
          scriptFile,
          ctx.pullRequestFile,
        ],
        ws,
        {
          ...env,
          TS_NODE_PROJECT: join(ROOT, "tsconfig.json"),
          NODE_PATH: join(ROOT, "node_modules"),
        },
      );
    } else {
      const script = String(step.run);
      if (script.includes("${{"))
        throw new Error(`${jobName}/${label}: run scripts take values through env, not \${{ }}`);
      const scriptFile = join(ws, `.step-${++counter}.sh`);
      writeFileSync(scriptFile, script);
      r = await exec("bash", ["--noprofile", "--norc", "-eo", "pipefail", scriptFile], ws, env);
    }
    const outputs = existsSync(outputFile) ? parseOutputs(readFileSync(outputFile, "utf8")) : {};
    if (step.id) steps[step.id] = { outputs };
    results.push({ label, kind: isScript ? "github-script" : "run", ...r, outputs });
    if (r.code !== 0 && !step["continue-on-error"]) ok = false;
  }
  return {
    ok,
    steps: results,
    summary: readFileSync(summaryFile, "utf8"),
    outputs: evalEnv(job.outputs, scope),
    step(idOrName: string): StepResult {
      const s = results.find((x) => x.label === idOrName);
      if (!s) throw new Error(`no step ${idOrName} in ${jobName}: ${results.map((x) => x.label)}`);
      return s;
    },
  };
}
