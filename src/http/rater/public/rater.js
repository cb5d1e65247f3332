// Rater page: plays a video with candidate A's music, then B's, and records which fitted better.
// Plain browser JavaScript (no build step); talks to /graphql with the rater's bearer token.
'use strict';

(() => {
  const TOKEN_KEY = 'bgm.raterToken';
  const VIEWS = ['token-view', 'choose-view', 'task-view', 'done-view'];
  const $ = (id) => document.getElementById(id);
  const player = $('player');
  const state = { token: null, experiment: null, task: null, side: null, heard: { A: false, B: false }, canVote: false, busy: false, retried: false };

  class ApiError extends Error {
    constructor(message, code) {
      super(message);
      this.code = code;
    }
  }

  async function gql(query, variables = {}) {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${state.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }));
    if (body.errors && body.errors.length > 0) {
      const first = body.errors[0];
      throw new ApiError(first.message, first.extensions && first.extensions.code);
    }
    return body.data;
  }

  function show(view) {
    for (const id of VIEWS) $(id).hidden = id !== view;
  }

  function message(text) {
    $('message').textContent = text || '';
    $('message').hidden = !text;
  }

  function fail(err) {
    if (err instanceof ApiError && (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN')) {
      localStorage.removeItem(TOKEN_KEY);
      askToken(`That token was not accepted (${err.message}). Paste a rater token.`);
      return;
    }
    message(err.message || String(err));
  }

  function askToken(text) {
    player.removeAttribute('src');
    $('who').hidden = true;
    show('token-view');
    message(text);
    $('token-input').focus();
  }

  async function start() {
    state.token = localStorage.getItem(TOKEN_KEY);
    if (!state.token) return askToken();
    message('');
    try {
      const { raterExperiments } = await gql('{ raterExperiments { id name description } }');
      const wanted = new URLSearchParams(location.search).get('experiment');
      if (wanted) {
        const found = raterExperiments.find((e) => e.id === wanted);
        if (!found) return message(`Experiment ${wanted} is not taking votes.`);
        return openExperiment(found);
      }
      if (raterExperiments.length === 1) return openExperiment(raterExperiments[0]);
      if (raterExperiments.length === 0) {
        show(null);
        return message('No experiment is running right now. Please come back later.');
      }
      chooseExperiment(raterExperiments);
    } catch (err) {
      fail(err);
    }
  }

  function chooseExperiment(experiments) {
    const list = $('experiment-list');
    list.replaceChildren(
      ...experiments.map((e) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = e.name;
        const note = document.createElement('small');
        note.textContent = e.description;
        button.append(note);
        button.addEventListener('click', () => openExperiment(e));
        item.append(button);
        return item;
      }),
    );
    show('choose-view');
  }

  async function openExperiment(experiment) {
    state.experiment = experiment;
    $('who').hidden = false;
    $('experiment-name').textContent = experiment.name;
    if (experiment.description) $('experiment-description').textContent = experiment.description;
    await loadTask();
  }

  function setProgress({ done, total }) {
    $('progress-text').textContent = `${done} / ${total}`;
    $('progress-fill').style.width = total > 0 ? `${(100 * done) / total}%` : '0';
  }

  async function fetchTask() {
    const data = await gql(
      'query Task($id: ID!) { preferenceTask(experimentId: $id) { task { id previewA previewB expiresAt } progress { done total } } }',
      { id: state.experiment.id },
    );
    setProgress(data.preferenceTask.progress);
    return data.preferenceTask;
  }

  async function loadTask() {
    try {
      const { task, progress } = await fetchTask();
      if (!task) {
        player.removeAttribute('src');
        $('done-text').textContent = `You have rated all ${progress.total} pairs of “${state.experiment.name}”.`;
        show('done-view');
        return;
      }
      state.task = task;
      state.heard = { A: false, B: false };
      state.retried = false;
      setCanVote(false);
      show('task-view');
      for (const side of ['A', 'B']) $(`pill-${side.toLowerCase()}`).classList.remove('heard');
      play('A');
    } catch (err) {
      fail(err);
    }
  }

  function setCanVote(on) {
    state.canVote = on;
    for (const id of ['vote-a', 'vote-n', 'vote-b']) $(id).disabled = !on;
  }

  function play(side) {
    state.side = side;
    $('pill-a').classList.toggle('active', side === 'A');
    $('pill-b').classList.toggle('active', side === 'B');
    $('play-status').textContent = `Playing candidate ${side}`;
    $('play-button').hidden = true;
    player.src = side === 'A' ? state.task.previewA : state.task.previewB;
    player.play().catch(() => {
      // Autoplay with sound needs a user gesture first (e.g. after a reload): ask for one.
      $('play-button').textContent = `▶ Play candidate ${side}`;
      $('play-button').hidden = false;
      $('play-status').textContent = 'Press play';
    });
  }

  player.addEventListener('loadeddata', () => {
    player.dataset.loaded = String(Number(player.dataset.loaded || 0) + 1);
  });

  player.addEventListener('ended', () => {
    const side = state.side;
    state.heard[side] = true;
    $(`pill-${side.toLowerCase()}`).classList.add('heard');
    if (side === 'A') return play('B');
    $('pill-b').classList.remove('active');
    $('play-status').textContent = 'Which music fitted better?';
    setCanVote(state.heard.A && state.heard.B);
  });

  // A preview link expires after a while: ask for the same task again for fresh links, once.
  player.addEventListener('error', async () => {
    if (!state.task || state.retried) {
      message('The preview could not be played. Reload the page to try again.');
      return;
    }
    state.retried = true;
    try {
      const { task } = await fetchTask();
      if (task && task.id === state.task.id) {
        state.task = task;
        play(state.side || 'A');
      } else await loadTask();
    } catch (err) {
      fail(err);
    }
  });

  async function vote(choice) {
    if (!state.canVote || state.busy || !state.task) return;
    state.busy = true;
    setCanVote(false);
    message('');
    try {
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
    const token = $('token-input').value.trim().replace(/^Bearer\s+/i, '');
    if (!token) return;
    localStorage.setItem(TOKEN_KEY, token);
    $('token-input').value = '';
    void start();
  });

  $('switch-token').addEventListener('click', () => {
    localStorage.removeItem(TOKEN_KEY);
    askToken();
  });

  $('play-button').addEventListener('click', () => {
    $('play-button').hidden = true;
    $('play-status').textContent = `Playing candidate ${state.side}`;
    player.play().catch((err) => message(err.message));
  });

  for (const button of document.querySelectorAll('.vote')) {
    button.addEventListener('click', () => void vote(button.dataset.choice));
  }

  document.addEventListener('keydown', (event) => {
    if (event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement) return;
    if (event.ctrlKey || event.metaKey || event.altKey || $('task-view').hidden) return;
    const key = event.key.toLowerCase();
    if (key === 'a') void vote('A');
    else if (key === 'b') void vote('B');
    else if (key === 'n') void vote('NEUTRAL');
    else if (key === 'r' && state.task) play('A');
    else return;
    event.preventDefault();
  });

  void start();
})();
