// Rater page: plays a video with candidate A's music, then B's, and records which fitted better.
// Plain browser JavaScript (no build step), type-checked through JSDoc (see tsconfig.json here);
// talks to /graphql with the rater's bearer token.
/* global document, fetch, localStorage, location, setTimeout, HTMLElement, HTMLTextAreaElement, HTMLInputElement */
'use strict';

/** @typedef {{ id: string, name: string, description: string }} Experiment */
/** @typedef {{ done: number, total: number }} Progress */
/** @typedef {{ id: string, previewA: string, previewB: string, expiresAt: string }} Task */
/** @typedef {{ task: Task | null, progress: Progress }} TaskOffer */
/** @typedef {'A' | 'B'} Side */

(() => {
  const TOKEN_KEY = 'bgm.raterToken';
  const VIEWS = ['token-view', 'choose-view', 'task-view', 'done-view'];

  /** @param {string} id @returns {HTMLElement} */
  const $ = (id) => {
    const el = document.getElementById(id);
    if (!el) throw new Error(`#${id} is missing from the page`);
    return el;
  };
  const player = /** @type {HTMLVideoElement} */ ($('player'));
  const tokenInput = /** @type {HTMLTextAreaElement} */ ($('token-input'));
  const voteButtons = ['vote-a', 'vote-n', 'vote-b'].map((id) => /** @type {HTMLButtonElement} */ ($(id)));

  /** @type {{ token: string | null, experiment: Experiment | null, task: Task | null, side: Side, heard: Record<Side, boolean>, canVote: boolean, busy: boolean, retried: boolean }} */
  const state = {
    token: null,
    experiment: null,
    task: null,
    side: 'A',
    heard: { A: false, B: false },
    canVote: false,
    busy: false,
    retried: false,
  };

  class ApiError extends Error {
    /** @param {string} message @param {string | undefined} code */
    constructor(message, code) {
      super(message);
      this.code = code;
    }
  }

  /**
   * @template T
   * @param {string} query
   * @param {Record<string, unknown>} [variables]
   * @returns {Promise<T>}
   */
  async function gql(query, variables = {}) {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${state.token ?? ''}` },
      body: JSON.stringify({ query, variables }),
    });
    /** @type {unknown} */
    const raw = await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }));
    const body = /** @type {{ data?: T, errors?: { message: string, extensions?: { code?: string } }[] }} */ (raw);
    const first = body.errors?.[0];
    if (first) throw new ApiError(first.message, first.extensions?.code);
    if (body.data === undefined) throw new ApiError(`HTTP ${res.status}`, undefined);
    return body.data;
  }

  /** @param {string | null} view */
  const show = (view) => VIEWS.forEach((id) => ($(id).hidden = id !== view));

  /** @param {string} [text] */
  function message(text) {
    $('message').textContent = text ?? '';
    $('message').hidden = !text;
  }

  /** @param {unknown} err */
  function fail(err) {
    if (err instanceof ApiError && (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN')) {
      localStorage.removeItem(TOKEN_KEY);
      askToken(`That token was not accepted (${err.message}). Paste a rater token.`);
      return;
    }
    message(err instanceof Error ? err.message : String(err));
  }

  /** @param {string} [text] */
  function askToken(text) {
    player.removeAttribute('src');
    $('who').hidden = true;
    show('token-view');
    message(text);
    tokenInput.focus();
  }

  async function start() {
    state.token = localStorage.getItem(TOKEN_KEY);
    if (!state.token) return askToken();
    message();
    try {
      /** @type {{ raterExperiments: Experiment[] }} */
      const { raterExperiments } = await gql('{ raterExperiments { id name description } }');
      const wanted = new URLSearchParams(location.search).get('experiment');
      if (wanted) {
        const found = raterExperiments.find((e) => e.id === wanted);
        if (!found) return message(`Experiment ${wanted} is not taking votes.`);
        return await openExperiment(found);
      }
      const [only] = raterExperiments;
      if (only && raterExperiments.length === 1) return await openExperiment(only);
      if (!only) {
        show(null);
        return message('No experiment is running right now. Please come back later.');
      }
      chooseExperiment(raterExperiments);
    } catch (err) {
      fail(err);
    }
  }

  /** @param {Experiment[]} experiments */
  function chooseExperiment(experiments) {
    $('experiment-list').replaceChildren(
      ...experiments.map((e) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = e.name;
        const note = document.createElement('small');
        note.textContent = e.description;
        button.append(note);
        button.addEventListener('click', () => void openExperiment(e));
        item.append(button);
        return item;
      }),
    );
    show('choose-view');
  }

  /** @param {Experiment} experiment */
  async function openExperiment(experiment) {
    state.experiment = experiment;
    $('who').hidden = false;
    $('experiment-name').textContent = experiment.name;
    if (experiment.description) $('experiment-description').textContent = experiment.description;
    await loadTask();
  }

  /** @param {Progress} progress */
  function setProgress({ done, total }) {
    $('progress-text').textContent = `${done} / ${total}`;
    $('progress-fill').style.width = total > 0 ? `${(100 * done) / total}%` : '0';
  }

  /** @returns {Promise<TaskOffer>} */
  async function fetchTask() {
    /** @type {{ preferenceTask: TaskOffer }} */
    const data = await gql(
      'query Task($id: ID!) { preferenceTask(experimentId: $id) { task { id previewA previewB expiresAt } progress { done total } } }',
      { id: state.experiment?.id },
    );
    setProgress(data.preferenceTask.progress);
    return data.preferenceTask;
  }

  async function loadTask() {
    try {
      const { task, progress } = await fetchTask();
      if (!task) {
        player.removeAttribute('src');
        $('done-text').textContent = `You have rated all ${progress.total} pairs of “${state.experiment?.name ?? ''}”.`;
        show('done-view');
        return;
      }
      state.task = task;
      state.heard = { A: false, B: false };
      state.retried = false;
      setCanVote(false);
      show('task-view');
      for (const pill of ['pill-a', 'pill-b']) $(pill).classList.remove('heard');
      void play('A');
    } catch (err) {
      fail(err);
    }
  }

  /** @param {boolean} on */
  function setCanVote(on) {
    state.canVote = on;
    for (const button of voteButtons) button.disabled = !on;
  }

  // Previews are rendered by a job the first time a side is asked for (seconds); the page asks
  // for the render's status until it is ready, then plays it.
  const PREVIEW_POLL_MS = 1000;
  const PREVIEW_WAIT_MS = 180_000;

  /** @param {string} url @returns {Promise<void>} */
  async function waitForPreview(url) {
    const deadline = Date.now() + PREVIEW_WAIT_MS;
    for (;;) {
      const res = await fetch(`${url}&probe=1`, { cache: 'no-store' });
      /** @type {unknown} */
      const raw = await res.json().catch(() => ({}));
      const body = /** @type {{ status?: string, error?: string | null }} */ (raw);
      if (!res.ok) throw new ApiError(body.error ?? `HTTP ${res.status}`, res.status === 403 ? 'EXPIRED' : undefined);
      if (body.status === 'READY') return;
      if (body.status === 'FAILED') throw new Error(`The preview could not be rendered: ${body.error ?? ''}`);
      if (Date.now() > deadline) throw new Error('The preview is taking too long. Reload the page to try again.');
      await new Promise((resolve) => setTimeout(resolve, PREVIEW_POLL_MS));
    }
  }

  /** @param {Side} side */
  async function play(side) {
    const task = state.task;
    if (!task) return;
    state.side = side;
    $('pill-a').classList.toggle('active', side === 'A');
    $('pill-b').classList.toggle('active', side === 'B');
    $('play-button').hidden = true;
    $('play-status').textContent = `Preparing candidate ${side}…`;
    const url = side === 'A' ? task.previewA : task.previewB;
    try {
      await waitForPreview(url);
    } catch (err) {
      // An expired link: ask for the task again (fresh links), once.
      if (err instanceof ApiError && err.code === 'EXPIRED') return void refreshPreview();
      return message(/** @type {Error} */ (err).message);
    }
    // The rater moved on (a vote, another side) while this one was being rendered.
    if (state.task !== task || state.side !== side) return;
    $('play-status').textContent = `Playing candidate ${side}`;
    player.src = url;
    player.play().catch(() => {
      // Autoplay with sound needs a user gesture first (e.g. after a reload): ask for one.
      $('play-button').textContent = `▶ Play candidate ${side}`;
      $('play-button').hidden = false;
      $('play-status').textContent = 'Press play';
    });
  }

  player.addEventListener('loadeddata', () => {
    player.dataset.loaded = String(Number(player.dataset.loaded ?? 0) + 1);
  });

  player.addEventListener('ended', () => {
    const side = state.side;
    state.heard[side] = true;
    $(side === 'A' ? 'pill-a' : 'pill-b').classList.add('heard');
    if (side === 'A') return void play('B');
    $('pill-b').classList.remove('active');
    $('play-status').textContent = 'Which music fitted better?';
    setCanVote(state.heard.A && state.heard.B);
  });

  // A preview link expires after a while: ask for the same task again for fresh links, once.
  player.addEventListener('error', () => void refreshPreview());

  async function refreshPreview() {
    if (!state.task || state.retried) {
      message('The preview could not be played. Reload the page to try again.');
      return;
    }
    state.retried = true;
    try {
      const { task } = await fetchTask();
      if (task && task.id === state.task.id) {
        state.task = task;
        void play(state.side);
      } else await loadTask();
    } catch (err) {
      fail(err);
    }
  }

  /** @param {'A' | 'B' | 'NEUTRAL'} choice */
  async function vote(choice) {
    if (!state.canVote || state.busy || !state.task) return;
    state.busy = true;
    setCanVote(false);
    message();
    try {
      /** @type {{ submitPreference: { progress: Progress } }} */
      const data = await gql(
        'mutation Vote($taskId: ID!, $choice: PreferenceChoice!) { submitPreference(taskId: $taskId, choice: $choice) { progress { done total } } }',
        { taskId: state.task.id, choice },
      );
      setProgress(data.submitPreference.progress);
    } catch (err) {
      // Expired or already counted: the next task is still the way on.
      if (!(err instanceof ApiError && (err.code === 'FAILED_PRECONDITION' || err.code === 'CONFLICT'))) {
        state.busy = false;
        setCanVote(true);
        return fail(err);
      }
      message(err.message);
    }
    state.busy = false;
    await loadTask();
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = tokenInput.value.trim().replace(/^Bearer\s+/i, '');
    if (!token) return;
    localStorage.setItem(TOKEN_KEY, token);
    tokenInput.value = '';
    void start();
  });

  $('switch-token').addEventListener('click', () => (localStorage.removeItem(TOKEN_KEY), askToken()));

  $('play-button').addEventListener('click', () => {
    $('play-button').hidden = true;
    $('play-status').textContent = `Playing candidate ${state.side}`;
    player.play().catch((/** @type {Error} */ err) => message(err.message));
  });

  /** @type {Record<string, 'A' | 'B' | 'NEUTRAL'>} */
  const CHOICE_OF = { 'vote-a': 'A', 'vote-n': 'NEUTRAL', 'vote-b': 'B' };
  for (const button of voteButtons) {
    const choice = CHOICE_OF[button.id];
    if (choice) button.addEventListener('click', () => void vote(choice));
  }

  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement) return;
    if (event.ctrlKey || event.metaKey || event.altKey || $('task-view').hidden) return;
    const key = event.key.toLowerCase();
    if (key === 'a') void vote('A');
    else if (key === 'b') void vote('B');
    else if (key === 'n') void vote('NEUTRAL');
    else if (key === 'r' && state.task) void play('A');
    else return;
    event.preventDefault();
  });

  void start();
})();
