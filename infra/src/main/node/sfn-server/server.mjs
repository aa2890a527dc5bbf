// Local twin of the AWS Step Functions control-plane API, for the operations our CLI and tests use.
//
// Executions run in aws-local-stepfunctions; this file adds what that library does not have: execution names and
// ARNs, the AWS JSON 1.0 wire protocol, AWS-shaped execution history, AWS limits, and persistence across restarts.
//
// Usage: node --require ./polyfill.cjs server.mjs <config.json>
// Config: { port, region, account, stateDir, parentPid?, maxHistoryEvents?,
//           stateMachines: [{ name, arn, definition (string), roleArn }] }
// Once listening it writes the bound port to <stateDir>/sfn-server.port. It exits when stdin closes or when
// parentPid no longer exists, so a dead JVM never leaves this process behind.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { StateMachine, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';

/** AWS's hard quota; an execution that would record more events fails (design: "continue as new execution"). */
const AWS_MAX_HISTORY_EVENTS = 25000;
/** AWS's payload quota for execution input and for every state's output (256 KiB, counted in UTF-8 bytes). */
const AWS_MAX_PAYLOAD_BYTES = 262144;
const RESTART_CAUSE = 'local step functions service restarted';
/** Choice type-test operators; see withNegatedTypeTestsRewritten. */
const TYPE_TESTS = ['IsPresent', 'IsNull', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'];
/** AWS's rule for state machine and execution names: 1-80 characters, none of these. */
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

class ApiError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration

function loadConfig(file) {
  if (!file) {
    fail('usage: server.mjs <config.json>');
  }
  let config;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    fail(`cannot read config ${file}: ${e.message}`);
  }
  for (const key of ['region', 'account', 'stateDir']) {
    if (typeof config[key] !== 'string' || config[key] === '') {
      fail(`config ${file}: "${key}" must be a non-empty string`);
    }
  }
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    fail(`config ${file}: "port" must be an integer 0..65535 (0 = any free port), got ${config.port}`);
  }
  if (!Array.isArray(config.stateMachines)) {
    fail(`config ${file}: "stateMachines" must be an array`);
  }
  config.maxHistoryEvents ??= AWS_MAX_HISTORY_EVENTS;
  return config;
}

function fail(message) {
  console.error(`sfn-server: ${message}`);
  process.exit(2);
}

function log(message) {
  console.log(`${new Date().toISOString()} ${message}`);
}

const config = loadConfig(process.argv[2]);
const executionsDir = path.join(config.stateDir, 'executions');
fs.mkdirSync(executionsDir, { recursive: true });

/** Per state machine ARN: its spec plus the library's StateMachine, built (and validated) once at start. */
const stateMachines = new Map();
const startedAt = Date.now();
for (const spec of config.stateMachines) {
  // The name is also a directory name under the state dir, so AWS's naming rules matter here too.
  if (typeof spec.name !== 'string' || !NAME_PATTERN.test(spec.name) || spec.name.startsWith('.')) {
    fail(`state machine name '${spec.name}' is not a valid AWS state machine name`);
  }
  let definition;
  try {
    definition = JSON.parse(spec.definition);
  } catch (e) {
    fail(`InvalidDefinition: state machine ${spec.name}: definition is not valid JSON: ${e.message}`);
  }
  let machine;
  try {
    machine = new StateMachine(withNegatedTypeTestsRewritten(structuredClone(definition)), {
      validationOptions: { checkArn: true, checkPaths: true },
    });
  } catch (e) {
    fail(`InvalidDefinition: state machine ${spec.name}: ${e.message}`);
  }
  if (!spec.arn.endsWith(`:stateMachine:${spec.name}`)) {
    fail(`state machine ${spec.name}: arn ${spec.arn} does not end with :stateMachine:${spec.name}`);
  }
  // `definition` (the string) stays as given: DescribeStateMachine returns it unchanged, as AWS does.
  stateMachines.set(spec.arn, { ...spec, machine, states: indexStates(definition) });
}

/**
 * aws-local-stepfunctions 3.0.0 evaluates a type test with `false` (e.g. `"IsPresent": false`) as `false && ...`, so
 * it never matches, where AWS matches when the test does not hold. `{Variable, IsX: false}` means the same as
 * `{Not: {Variable, IsX: true}}`, which the library gets right, so Choice rules are rewritten into that form.
 */
function withNegatedTypeTestsRewritten(definition) {
  for (const state of Object.values(definition.States ?? {})) {
    if (state.Type === 'Choice') state.Choices = (state.Choices ?? []).map(rewriteRule);
    const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter(Boolean);
    nested.forEach(withNegatedTypeTestsRewritten);
  }
  return definition;
}

function rewriteRule(rule) {
  if (Array.isArray(rule.And)) return { ...rule, And: rule.And.map(rewriteRule) };
  if (Array.isArray(rule.Or)) return { ...rule, Or: rule.Or.map(rewriteRule) };
  if (rule.Not) return { ...rule, Not: rewriteRule(rule.Not) };
  const test = TYPE_TESTS.find((name) => rule[name] === false);
  if (!test) return rule;
  const { Next, Variable } = rule;
  const negated = { Not: { Variable, [test]: true } };
  return Next === undefined ? negated : { ...negated, Next };
}

/** Every state (also those inside Map/Parallel) by name, so history events can name a Task's resource. */
function indexStates(definition, into = new Map()) {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    if (!into.has(name)) into.set(name, state);
    const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter(Boolean);
    nested.forEach((d) => indexStates(d, into));
  }
  return into;
}

// ---------------------------------------------------------------------------------------------------------------
// Executions: in memory while this process lives, one JSON file each in the state dir.

/** executionArn -> execution record (see startExecution). */
const executions = new Map();

function executionFile(stateMachineName, executionName) {
  return path.join(executionsDir, stateMachineName, `${executionName}.json`);
}

function persist(execution) {
  const file = executionFile(execution.stateMachineName, execution.name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const { abort, threads, ...stored } = execution;
  // Write-then-rename: a crash mid-write must not leave a truncated file that breaks the next start.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(stored));
  fs.renameSync(`${file}.tmp`, file);
}

function loadPersistedExecutions() {
  let restarted = 0;
  for (const machineDir of fs.readdirSync(executionsDir)) {
    const dir = path.join(executionsDir, machineDir);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      let execution;
      try {
        execution = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      } catch (e) {
        log(`ignoring unreadable execution file ${path.join(dir, file)}: ${e.message}`);
        continue;
      }
      execution.threads = new Map();
      executions.set(execution.executionArn, execution);
      if (execution.status === 'RUNNING') {
        // Its run died with the previous process; AWS would never leave it RUNNING forever, so close it.
        finish(execution, { status: 'FAILED', error: 'States.Runtime', cause: RESTART_CAUSE });
        restarted++;
      }
    }
  }
  log(`loaded ${executions.size} persisted executions (${restarted} were running and are now FAILED)`);
}

function startExecution(request) {
  const stateMachine = requireStateMachine(request.stateMachineArn);
  const name = request.name ?? crypto.randomUUID();
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw new ApiError('InvalidName', `Invalid Name: '${name}' (1-80 characters, no whitespace or special characters)`);
  }
  const inputText = request.input ?? '{}';
  let input;
  try {
    input = JSON.parse(inputText);
  } catch (e) {
    throw new ApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${e.message}'`);
  }
  if (Buffer.byteLength(inputText, 'utf8') > AWS_MAX_PAYLOAD_BYTES) {
    throw new ApiError('InvalidExecutionInput', `Execution input exceeds the ${AWS_MAX_PAYLOAD_BYTES}-byte limit`);
  }
  const executionArn = `arn:aws:states:${config.region}:${config.account}:execution:${stateMachine.name}:${name}`;
  const existing = executions.get(executionArn);
  if (existing) {
    // AWS idempotency: same name and input while running returns the running execution; anything else is a clash.
    if (existing.status === 'RUNNING' && existing.input === inputText) {
      return { executionArn, startDate: seconds(existing.startDate) };
    }
    throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
  }

  const startDate = Date.now();
  const execution = {
    executionArn,
    stateMachineArn: stateMachine.arn,
    stateMachineName: stateMachine.name,
    name,
    status: 'RUNNING',
    startDate,
    input: inputText,
    history: [],
    threads: new Map(),
  };
  executions.set(executionArn, execution);
  appendEvent(execution, 'ExecutionStarted', 'executionStartedEventDetails', {
    input: inputText,
    inputDetails: { truncated: false },
    roleArn: stateMachine.roleArn,
  });
  persist(execution);

  const run = stateMachine.machine.run(input, {
    noThrowOnAbort: true,
    context: {
      Execution: {
        Id: executionArn,
        Name: name,
        StartTime: new Date(startDate).toISOString(),
        RoleArn: stateMachine.roleArn,
      },
      StateMachine: { Id: stateMachine.arn, Name: stateMachine.name },
    },
  });
  execution.abort = run.abort;
  const pumped = pumpEvents(execution, stateMachine, run.eventLogs);
  Promise.allSettled([run.result, pumped]).then(([result]) => finish(execution, outcomeOf(result)));
  log(`started ${executionArn}`);
  return { executionArn, startDate: seconds(startDate) };
}

function outcomeOf(settled) {
  if (settled.status === 'fulfilled') {
    // noThrowOnAbort: an abort resolves with null; StopExecution has already closed the execution then.
    return { status: 'SUCCEEDED', output: JSON.stringify(settled.value) };
  }
  const error = settled.reason;
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution exceeded its TimeoutSeconds' };
  }
  if (error instanceof ExecutionError && error.cause) {
    return { status: 'FAILED', error: error.cause.name, cause: causeText(error.cause.cause ?? error.cause.message) };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: String(error?.stack ?? error) };
}

/** Lambda failures carry the function's error payload as an object; AWS reports it as a JSON string. */
function causeText(cause) {
  if (cause === undefined || cause === null) return undefined;
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

const TERMINAL_EVENTS = {
  SUCCEEDED: ['ExecutionSucceeded', 'executionSucceededEventDetails'],
  FAILED: ['ExecutionFailed', 'executionFailedEventDetails'],
  ABORTED: ['ExecutionAborted', 'executionAbortedEventDetails'],
  TIMED_OUT: ['ExecutionTimedOut', 'executionTimedOutEventDetails'],
};

/** Closes an execution exactly once: whichever comes first of its run ending, StopExecution, or an AWS limit. */
function finish(execution, outcome) {
  if (execution.status !== 'RUNNING') return;
  Object.assign(execution, outcome, { stopDate: Date.now() });
  const [type, detailsKey] = TERMINAL_EVENTS[outcome.status];
  const details =
    outcome.status === 'SUCCEEDED'
      ? { output: outcome.output, outputDetails: { truncated: false } }
      : { error: outcome.error, cause: outcome.cause };
  appendEvent(execution, type, detailsKey, details, 'root', true);
  execution.abort?.();
  execution.abort = undefined;
  persist(execution);
  log(`${execution.status} ${execution.executionArn}${outcome.error ? ` (${outcome.error})` : ''}`);
}

// ---------------------------------------------------------------------------------------------------------------
// History: the library's event log mapped onto AWS history events.
//
//   library event                       AWS history events
//   (StartExecution itself)             ExecutionStarted
//   StateEntered  (type T)              <T>StateEntered; Task also LambdaFunctionScheduled + LambdaFunctionStarted;
//                                       Map also MapStateStarted; Parallel also ParallelStateStarted
//   StateExited   (type T)              Task: LambdaFunctionSucceeded (unless the error was caught);
//                                       Map: MapStateSucceeded; Parallel: ParallelStateSucceeded; then <T>StateExited
//   StateFailed   Task                  LambdaFunctionFailed, or LambdaFunctionTimedOut for States.Timeout
//   StateFailed   Map / Parallel        MapStateFailed / ParallelStateFailed (other state types: no event, as in AWS)
//   StateRetried  Task                  LambdaFunctionScheduled + LambdaFunctionStarted (the next attempt)
//   StateCaught                         none (AWS records only the transition that follows)
//   MapIteration{Started,Succeeded,Failed}  same names, details {name: Map state, index}
//   ParallelBranch*                     none (AWS has no per-branch events)
//   Execution{Succeeded,Failed,Aborted,Timeout}  ExecutionSucceeded/Failed/Aborted/TimedOut, written by finish()
//
// Approximations: LambdaFunctionScheduled.input is the state's raw input (the library does not report the input
// after InputPath/Parameters); previousEventId links events of the same Map iteration (or of the top level), not
// AWS's exact causal chain; events of nested Maps are attributed to the innermost iteration index.

const STATE_EVENT_PREFIX = {
  Task: 'TaskState',
  Map: 'MapState',
  Parallel: 'ParallelState',
  Pass: 'PassState',
  Wait: 'WaitState',
  Choice: 'ChoiceState',
  Succeed: 'SucceedState',
  Fail: 'FailState',
};

async function pumpEvents(execution, stateMachine, eventLogs) {
  for await (const event of eventLogs) {
    if (execution.status !== 'RUNNING') continue; // drain, so the library's logger is not left with a backlog
    try {
      translate(execution, stateMachine, event);
    } catch (e) {
      finish(execution, { status: 'FAILED', error: 'States.Runtime', cause: `local service: ${e.message}` });
    }
  }
}

function translate(execution, stateMachine, event) {
  const thread = event.index === undefined ? 'root' : `iteration-${event.index}`;
  const add = (type, detailsKey, details) => appendEvent(execution, type, detailsKey, details, thread);
  const state = event.state;
  switch (event.type) {
    case 'StateEntered': {
      execution.threads.get(thread)?.caught?.delete(state.name);
      add(`${STATE_EVENT_PREFIX[state.type]}Entered`, 'stateEnteredEventDetails', {
        name: state.name,
        input: JSON.stringify(state.input),
        inputDetails: { truncated: false },
      });
      if (state.type === 'Task') scheduleLambda(execution, stateMachine, state, add);
      if (state.type === 'Map') add('MapStateStarted', 'mapStateStartedEventDetails', mapLength(stateMachine, state));
      if (state.type === 'Parallel') add('ParallelStateStarted', undefined, undefined);
      break;
    }
    case 'StateExited': {
      const output = JSON.stringify(state.output ?? null);
      if (Buffer.byteLength(output, 'utf8') > AWS_MAX_PAYLOAD_BYTES) {
        finish(execution, {
          status: 'FAILED',
          error: 'States.DataLimitExceeded',
          cause: `The state/task '${state.name}' returned a result with a size exceeding the maximum number of bytes service limit (${AWS_MAX_PAYLOAD_BYTES}).`,
        });
        return;
      }
      const caught = execution.threads.get(thread)?.caught?.has(state.name);
      if (state.type === 'Task' && !caught) {
        add('LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
          output,
          outputDetails: { truncated: false },
        });
      }
      if (state.type === 'Map' && !caught) add('MapStateSucceeded', undefined, undefined);
      if (state.type === 'Parallel' && !caught) add('ParallelStateSucceeded', undefined, undefined);
      add(`${STATE_EVENT_PREFIX[state.type]}Exited`, 'stateExitedEventDetails', {
        name: state.name,
        output,
        outputDetails: { truncated: false },
      });
      break;
    }
    case 'StateFailed': {
      const details = { error: event.Error, cause: causeText(event.Cause) };
      if (state.type === 'Task') {
        const timedOut = event.Error === 'States.Timeout';
        add(
          timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed',
          timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails',
          details,
        );
      }
      if (state.type === 'Map') add('MapStateFailed', undefined, undefined);
      if (state.type === 'Parallel') add('ParallelStateFailed', undefined, undefined);
      break;
    }
    case 'StateRetried':
      if (state.type === 'Task') scheduleLambda(execution, stateMachine, state, add);
      break;
    case 'StateCaught': {
      if (!execution.threads.has(thread)) execution.threads.set(thread, {});
      const threadState = execution.threads.get(thread);
      (threadState.caught ??= new Set()).add(state.name);
      break;
    }
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const detailsKey = `${event.type[0].toLowerCase()}${event.type.slice(1)}EventDetails`;
      appendEvent(execution, event.type, detailsKey, { name: event.parentState.name, index: event.index }, thread);
      break;
    }
    default:
      // ExecutionStarted (written by StartExecution), Execution* terminal events (written by finish) and
      // ParallelBranch* (no AWS equivalent).
      break;
  }
}

/** Item count for MapStateStarted, when ItemsPath is a plain `$.a.b` path (what our ASL uses). */
function mapLength(stateMachine, state) {
  const itemsPath = stateMachine.states.get(state.name)?.ItemsPath ?? '$';
  if (!/^\$(\.[A-Za-z0-9_]+)*$/.test(itemsPath)) return {};
  let items = state.input;
  for (const key of itemsPath.split('.').slice(1)) items = items?.[key];
  return Array.isArray(items) ? { length: items.length } : {};
}

function scheduleLambda(execution, stateMachine, state, add) {
  const definition = stateMachine.states.get(state.name) ?? {};
  const scheduled = { resource: definition.Resource, input: JSON.stringify(state.input), inputDetails: { truncated: false } };
  if (definition.TimeoutSeconds) scheduled.timeoutInSeconds = definition.TimeoutSeconds;
  add('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', scheduled);
  add('LambdaFunctionStarted', undefined, undefined);
}

function appendEvent(execution, type, detailsKey, details, thread = 'root', terminal = false) {
  if (!terminal && execution.status !== 'RUNNING') return;
  if (!terminal && execution.history.length >= config.maxHistoryEvents - 1) {
    // Leave room for the ExecutionFailed event, so the history ends exactly at the quota, as in AWS.
    finish(execution, {
      status: 'FAILED',
      error: 'States.Runtime',
      cause: `The execution reached the maximum number of history events (${config.maxHistoryEvents}).`,
    });
    return;
  }
  const event = { timestamp: Date.now(), type, id: execution.history.length + 1 };
  const previous = terminal
    ? execution.history.length
    : (execution.threads.get(thread)?.lastId ?? execution.threads.get('root')?.lastId);
  if (previous) event.previousEventId = previous;
  if (detailsKey) event[detailsKey] = details;
  execution.history.push(event);
  if (!execution.threads.has(thread)) execution.threads.set(thread, {});
  execution.threads.get(thread).lastId = event.id;
}

// ---------------------------------------------------------------------------------------------------------------
// API operations

function requireStateMachine(arn) {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  }
  const stateMachine = stateMachines.get(arn);
  if (!stateMachine) {
    throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  }
  return stateMachine;
}

function requireExecution(arn) {
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/.test(arn)) {
    throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  }
  const execution = executions.get(arn);
  if (!execution) {
    throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  }
  return execution;
}

function seconds(epochMillis) {
  return epochMillis / 1000;
}

/** The fields ListExecutions reports for an execution; DescribeExecution adds to them. */
function executionSummary(e) {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: seconds(e.startDate),
    stopDate: e.stopDate === undefined ? undefined : seconds(e.stopDate),
  };
}

function describeExecution({ executionArn }) {
  const e = requireExecution(executionArn);
  return {
    ...executionSummary(e),
    input: e.input,
    inputDetails: { included: true },
    output: e.output,
    outputDetails: e.output === undefined ? undefined : { included: true },
    error: e.error,
    cause: e.cause,
  };
}

function stopExecution({ executionArn, error, cause }) {
  const execution = requireExecution(executionArn);
  finish(execution, { status: 'ABORTED', error, cause });
  return { stopDate: seconds(execution.stopDate) };
}

function page(items, request, defaultSize, toItem) {
  const maxResults = request.maxResults || defaultSize;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw new ApiError('ValidationException', `maxResults must be between 0 and 1000, got ${request.maxResults}`);
  }
  let offset = 0;
  if (request.nextToken) {
    offset = Number.parseInt(Buffer.from(request.nextToken, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
      throw new ApiError('InvalidToken', `Invalid Token: '${request.nextToken}'`);
    }
  }
  const slice = items.slice(offset, offset + maxResults).map(toItem);
  const next = offset + maxResults;
  return {
    items: slice,
    nextToken: next < items.length ? Buffer.from(String(next), 'utf8').toString('base64url') : undefined,
  };
}

const STATUSES = new Set(['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED', 'TIMED_OUT', 'PENDING_REDRIVE']);

function listExecutions(request) {
  const stateMachine = requireStateMachine(request.stateMachineArn);
  if (request.statusFilter !== undefined && !STATUSES.has(request.statusFilter)) {
    throw new ApiError('ValidationException', `Invalid statusFilter: '${request.statusFilter}'`);
  }
  const matching = [...executions.values()]
    .filter((e) => e.stateMachineArn === stateMachine.arn)
    .filter((e) => request.statusFilter === undefined || e.status === request.statusFilter)
    .sort((a, b) => b.startDate - a.startDate || b.name.localeCompare(a.name));
  const { items, nextToken } = page(matching, request, 100, executionSummary);
  return { executions: items, nextToken };
}

function getExecutionHistory(request) {
  const execution = requireExecution(request.executionArn);
  const events = request.reverseOrder ? [...execution.history].reverse() : execution.history;
  const withData = request.includeExecutionData !== false;
  const { items, nextToken } = page(events, request, 100, (event) =>
    withData ? { ...event, timestamp: seconds(event.timestamp) } : withoutData(event),
  );
  return { events: items, nextToken };
}

function withoutData(event) {
  const copy = { ...event, timestamp: seconds(event.timestamp) };
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && value) {
      const { input, output, ...rest } = value;
      copy[key] = rest;
    }
  }
  return copy;
}

function listStateMachines(request) {
  const all = [...stateMachines.values()].sort((a, b) => a.name.localeCompare(b.name));
  const { items, nextToken } = page(all, request, 100, (s) => ({
    stateMachineArn: s.arn,
    name: s.name,
    type: 'STANDARD',
    creationDate: seconds(startedAt),
  }));
  return { stateMachines: items, nextToken };
}

function describeStateMachine({ stateMachineArn }) {
  const s = requireStateMachine(stateMachineArn);
  return {
    stateMachineArn: s.arn,
    name: s.name,
    status: 'ACTIVE',
    definition: s.definition,
    roleArn: s.roleArn,
    type: 'STANDARD',
    creationDate: seconds(startedAt),
  };
}

const OPERATIONS = {
  StartExecution: startExecution,
  DescribeExecution: describeExecution,
  StopExecution: stopExecution,
  ListExecutions: listExecutions,
  GetExecutionHistory: getExecutionHistory,
  ListStateMachines: listStateMachines,
  DescribeStateMachine: describeStateMachine,
};

// ---------------------------------------------------------------------------------------------------------------
// HTTP: AWS JSON 1.0 (POST /, X-Amz-Target: AWSStepFunctions.<Operation>)

function respond(res, status, body, errorType) {
  const text = JSON.stringify(body);
  const headers = {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': crypto.randomUUID(),
  };
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

function handle(req, body) {
  if (req.method !== 'POST' || req.url !== '/') {
    throw new ApiError('UnknownOperationException', `Expected POST / with X-Amz-Target, got ${req.method} ${req.url}`);
  }
  const target = req.headers['x-amz-target'] ?? '';
  const operation = target.startsWith('AWSStepFunctions.') ? OPERATIONS[target.slice('AWSStepFunctions.'.length)] : undefined;
  if (!operation) {
    throw new ApiError('UnknownOperationException', `Operation not supported by the local service: '${target}'`);
  }
  let request;
  try {
    request = body.length === 0 ? {} : JSON.parse(body);
  } catch (e) {
    throw new ApiError('SerializationException', `Request body is not JSON: ${e.message}`);
  }
  return operation(request);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      respond(res, 200, handle(req, Buffer.concat(chunks).toString('utf8')));
    } catch (e) {
      if (e instanceof ApiError) {
        respond(res, 400, { __type: e.type, message: e.message }, e.type);
      } else {
        log(`internal error: ${e.stack}`);
        respond(res, 500, { __type: 'InternalFailure', message: String(e.message) }, 'InternalFailure');
      }
    }
  });
});

loadPersistedExecutions();
server.listen(config.port, '127.0.0.1', () => {
  const { port } = server.address();
  fs.writeFileSync(path.join(config.stateDir, 'sfn-server.port'), String(port));
  log(`listening on http://127.0.0.1:${port} with ${stateMachines.size} state machines (node ${process.version})`);
});

// Lifetime is tied to the parent: stdin closing (the parent closed it or died) or the parent pid vanishing.
function shutdown(reason) {
  log(`exiting: ${reason}`);
  process.exit(0);
}
process.stdin.on('end', () => shutdown('stdin closed'));
process.stdin.on('error', () => shutdown('stdin error'));
process.stdin.resume();
if (Number.isInteger(config.parentPid)) {
  setInterval(() => {
    try {
      process.kill(config.parentPid, 0);
    } catch (e) {
      if (e.code === 'ESRCH') shutdown(`parent process ${config.parentPid} is gone`);
    }
  }, 1000);
}
