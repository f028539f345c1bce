/* LSE website chat widget.
 *
 * Embed with one script tag; everything else is fetched from where the script comes from:
 *   <script src="https://CHAT-HOST/widget/lse-widget.js" defer
 *           data-server="https://RASA-HOST"   (the Rasa server: socket.io on /socket.io)
 *           data-language="nl"                (nl or en: the language to start in)
 *           data-color="#154273"></script>    (main colour; the text colour on it is chosen
 *                                              for contrast)
 * Optional: data-api (base URL of the web app, default: the script's origin) and
 * data-exit-url (the neutral site that quick exit opens).
 *
 * Served by web/widget/routes.py inside one file after the socket.io client, which is
 * passed in as `io`. No HTML is ever built from text: all text goes in with textContent.
 * The conversation is kept in sessionStorage (gone when the tab closes) and never in a URL.
 */
(function (io) {
  "use strict";

  var script = document.currentScript;
  var HOST_ID = "lse-chat-widget";
  if (!script || document.getElementById(HOST_ID)) { return; }

  var STORAGE_KEY = "lse-chat";
  var SESSION_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
  var ESCAPE_WINDOW_MS = 1000;
  var REPLY_TIMEOUT_MS = 30000;
  var STATUS_REFRESH_MS = 60000;
  var MAX_STORED_MESSAGES = 300;
  var COUNTER_FROM = 100;       // show the counter when this many characters are left
  var ANNOUNCE_AT = [100, 50, 20, 10, 0];
  var SVG_NS = "http://www.w3.org/2000/svg";

  var data = script.dataset;
  var scriptUrl = new URL(script.src, document.baseURI);
  var apiBase = httpBase(data.api) || scriptUrl.origin;
  var serverUrl = httpBase(data.server) || scriptUrl.origin;
  var exitUrl = httpUrl(data.exitUrl) || "https://www.google.nl/";
  var startLanguage = data.language === "en" ? "en" : "nl";
  var primary = /^#[0-9a-fA-F]{6}$/.test(data.color || "") ? data.color : "#154273";

  function httpUrl(value) {
    if (!value) { return null; }
    try {
      var url = new URL(value, document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) { return null; }
  }
  function httpBase(value) {
    var url = httpUrl(value);
    return url ? url.replace(/\/+$/, "") : null;
  }

  /* ---------- storage (sessionStorage: survives reload and navigation, not the tab) ---------- */

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }
  function freshState(language, open) {
    return { sessionId: newSessionId(), language: language, messages: [], open: !!open };
  }
  function loadState() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || "null");
      if (saved && SESSION_PATTERN.test(saved.sessionId) && Array.isArray(saved.messages)) {
        return {
          sessionId: saved.sessionId,
          language: saved.language === "en" ? "en" : "nl",
          messages: saved.messages.filter(function (m) {
            return m && (m.who === "bot" || m.who === "user") && typeof m.text === "string";
          }),
          open: !!saved.open
        };
      }
    } catch (error) { /* unreadable: start fresh */ }
    return null;
  }
  function saveState() {
    if (exiting) { return; }
    if (!state.messages.length && !state.open) { forgetState(); return; }
    try {
      state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (error) { /* storage full or blocked: the chat still works on this page */ }
  }
  function forgetState() {
    try { window.sessionStorage.removeItem(STORAGE_KEY); } catch (error) { /* nothing stored */ }
  }

  var state = loadState() || freshState(startLanguage, false);
  var config = null;
  var socket = null;
  var confirmed = false;
  var outbox = [];
  var exiting = false;
  var lastEscape = 0;
  var replyTimer = null;
  var statusTimer = null;
  var connectFailures = 0;
  var lastAnnounced = null;
  var ui = {};

  /* ---------- DOM helpers: text only, never HTML ---------- */

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === true) { node.setAttribute(name, ""); }
      else if (value !== false && value !== null && value !== undefined) { node.setAttribute(name, value); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function icon(path) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var shape = document.createElementNS(SVG_NS, "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }
  var ICON_CHAT = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z";
  var ICON_CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";
  var ICON_EXIT = "M10 3h9a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-9v-2h9V5h-9zm1.6 4.6L16 12l-4.4 4.4-1.4-1.4 2-2H3v-2h9.2l-2-2z";

  function t(key) {
    var texts = config.texts[state.language] || config.texts.nl;
    return texts[key] || "";
  }

  /* ---------- colours (contrast picked, not assumed) ---------- */

  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function applyColours(root) {
    var onPrimary = contrast(primary, "#ffffff") >= contrast(primary, "#1a1a1a") ? "#ffffff" : "#1a1a1a";
    root.style.setProperty("--lse-primary", primary);
    root.style.setProperty("--lse-on-primary", onPrimary);
    root.style.setProperty("--lse-link", contrast(primary, "#eef1f5") >= 4.5 ? primary : "#1a1a1a");
  }

  /* ---------- links in bot text: URLs, e-mail addresses and the LSE's phone numbers ---------- */

  function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  var linkPattern = null;
  function buildLinkPattern() {
    var phones = (config.phones || []).filter(Boolean).slice().sort(function (a, b) {
      return b.length - a.length;
    }).map(escapeRegExp);
    var parts = [
      "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}",                    // e-mail
      "(?:https?:\\/\\/|www\\.)[^\\s<>\"']+|\\b[a-z0-9-]+\\.nl\\b(?:\\/[^\\s<>\"']*)?" // web address
    ];
    var source = "(" + parts[0] + ")|(" + parts[1] + ")";
    if (phones.length) { source += "|(" + phones.join("|") + ")"; }
    linkPattern = new RegExp(source, "gi");
  }
  function isWordChar(ch) { return !!ch && /[A-Za-z0-9]/.test(ch); }

  function linkify(text, parent) {
    var last = 0;
    var match;
    linkPattern.lastIndex = 0;
    while ((match = linkPattern.exec(text)) !== null) {
      var found = match[0];
      var start = match.index;
      var href = null;
      var external = false;
      if (match[1]) {
        href = "mailto:" + found;
      } else if (match[2]) {
        var trimmed = found.replace(/[.,;:!?)\]]+$/, "");
        found = trimmed;
        href = /^https?:\/\//i.test(found) ? found : "https://" + found;
        external = true;
      } else if (match[3]) {
        var before = text.charAt(start - 1);
        var after = text.charAt(start + found.length);
        var afterNext = text.charAt(start + found.length + 1);
        if (isWordChar(before) || before === "." || before === "-" || isWordChar(after) ||
            (after === "." && isWordChar(afterNext)) || (after === "-" && isWordChar(afterNext))) {
          continue;   // part of a longer number or a web address
        }
        href = "tel:" + found.replace(/[^\d+]/g, "");
      }
      if (!found) { continue; }
      if (start > last) { parent.appendChild(document.createTextNode(text.slice(last, start))); }
      var link = el("a", { href: href }, [found]);
      if (external) {
        link.setAttribute("target", "_blank");
        link.setAttribute("rel", "noopener noreferrer");
        link.appendChild(el("span", { "class": "lse-sr" }, [" " + t("new_window")]));
      }
      parent.appendChild(link);
      last = start + found.length;
      linkPattern.lastIndex = last;
    }
    if (last < text.length) { parent.appendChild(document.createTextNode(text.slice(last))); }
  }
  function richText(text, parent) {
    text.split("\n").forEach(function (line, index) {
      if (index > 0) { parent.appendChild(el("br")); }
      linkify(line, parent);
    });
  }

  /* ---------- building the widget ---------- */

  function build() {
    var host = el("div", { id: HOST_ID });
    var shadow = host.attachShadow({ mode: "open" });
    var style = el("link", { rel: "stylesheet", href: scriptUrl.origin + "/widget/lse-widget.css" });
    var root = el("div", { "class": "lse-root", hidden: true });
    applyColours(root);
    style.addEventListener("load", function () { root.hidden = false; });
    style.addEventListener("error", function () { root.hidden = false; });

    ui.host = host;
    ui.root = root;
    ui.exit = el("button", { type: "button", "class": "lse-exit", "aria-describedby": "lse-exit-help" },
      [icon(ICON_EXIT), el("span", {}, [])]);
    ui.exitHelp = el("span", { id: "lse-exit-help", "class": "lse-sr" });
    ui.language = el("button", { type: "button", "class": "lse-header-button lse-language" });
    ui.hide = el("button", { type: "button", "class": "lse-header-button lse-hide" }, [icon(ICON_CLOSE)]);
    ui.title = el("h2", { id: "lse-title", "class": "lse-title" });
    ui.subtitle = el("p", { "class": "lse-subtitle" });
    ui.status = el("p", { "class": "lse-status", hidden: true });
    ui.log = el("div", { "class": "lse-log", role: "log", "aria-live": "polite",
      "aria-relevant": "additions", tabindex: "0" });
    ui.typing = el("div", { "class": "lse-typing", role: "status", hidden: true },
      [el("span", { "class": "lse-dot", "aria-hidden": "true" }),
       el("span", { "class": "lse-dot", "aria-hidden": "true" }),
       el("span", { "class": "lse-dot", "aria-hidden": "true" }),
       el("span", { "class": "lse-sr" })]);
    ui.alert = el("p", { "class": "lse-alert", role: "status" });
    ui.inputLabel = el("label", { "for": "lse-input", "class": "lse-sr" });
    ui.input = el("textarea", { id: "lse-input", "class": "lse-input", rows: "2",
      maxlength: String(config.max_message_length), autocomplete: "off",
      "aria-describedby": "lse-counter" });
    ui.restart = el("button", { type: "button", "class": "lse-restart" });
    ui.counter = el("span", { id: "lse-counter", "class": "lse-counter", hidden: true });
    ui.announcer = el("span", { "class": "lse-sr", role: "status" });
    ui.send = el("button", { type: "submit", "class": "lse-send" });
    ui.form = el("form", { "class": "lse-form", novalidate: true }, [
      ui.inputLabel, ui.input,
      el("div", { "class": "lse-form__row" }, [ui.restart, ui.counter, ui.send]),
      ui.announcer
    ]);
    ui.panel = el("section", { id: "lse-panel", "class": "lse-panel", "aria-labelledby": "lse-title",
      hidden: true }, [
      el("div", { "class": "lse-header" }, [
        el("div", { "class": "lse-bar" }, [
          ui.exit, ui.exitHelp,
          el("div", { "class": "lse-bar__end" }, [ui.language, ui.hide])
        ]),
        ui.title, ui.subtitle, ui.status
      ]),
      ui.log, ui.typing, ui.alert, ui.form
    ]);
    ui.launcherText = el("span");
    ui.launcher = el("button", { type: "button", "class": "lse-launcher", "aria-controls": "lse-panel",
      "aria-expanded": "false" }, [icon(ICON_CHAT), ui.launcherText]);

    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    shadow.appendChild(style);
    shadow.appendChild(root);

    ui.exit.addEventListener("click", quickExit);
    ui.language.addEventListener("click", function () {
      switchLanguage(state.language === "nl" ? "en" : "nl");
    });
    ui.hide.addEventListener("click", function () { closePanel(true); });
    ui.launcher.addEventListener("click", function () { openPanel(true); });
    ui.restart.addEventListener("click", restart);
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitInput();
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
    ui.input.addEventListener("input", updateCounter);

    applyTexts();
    renderLog();
    document.body.appendChild(host);
  }

  function applyTexts() {
    ui.root.setAttribute("lang", state.language);
    ui.exit.lastChild.textContent = t("quick_exit");
    ui.exitHelp.textContent = t("quick_exit_description");
    ui.language.textContent = t("language_switch");
    ui.language.setAttribute("lang", state.language === "nl" ? "en" : "nl");
    ui.language.setAttribute("aria-label", t("language_switch_label"));
    ui.hide.setAttribute("aria-label", t("hide"));
    ui.hide.setAttribute("title", t("hide"));
    ui.title.textContent = t("title");
    ui.subtitle.textContent = t("subtitle");
    ui.log.setAttribute("aria-label", t("log_label"));
    ui.typing.lastChild.textContent = t("typing");
    ui.inputLabel.textContent = t("input_label");
    ui.input.setAttribute("placeholder", t("input_placeholder"));
    ui.restart.textContent = t("restart");
    ui.send.textContent = t("send");
    ui.launcherText.textContent = t("launcher");
    updateCounter();
  }

  /* ---------- the conversation log ---------- */

  function noticeBlock() {
    return el("div", { "class": "lse-notice-block" }, [
      el("p", {}, [t("privacy")]),
      el("p", { "class": "lse-danger" }, (function () {
        var holder = document.createDocumentFragment();
        linkify(t("danger"), holder);
        return [holder];
      })())
    ]);
  }

  function messageNode(message) {
    var who = message.who === "user" ? t("you") : t("bot_name");
    var node = el("div", { "class": "lse-msg lse-msg--" + message.who });
    node.appendChild(el("span", { "class": "lse-sr" }, [who + ": "]));
    if (message.who === "bot") { richText(message.text, node); }
    else { node.appendChild(document.createTextNode(message.text)); }
    return node;
  }

  function choicesNode(buttons) {
    var group = el("div", { "class": "lse-choices", role: "group", "aria-label": t("choices_label") });
    buttons.forEach(function (button) {
      var choice = el("button", { type: "button", "class": "lse-choice" }, [button.title]);
      choice.addEventListener("click", function (event) {
        var byKeyboard = event.detail === 0;
        sendMessage(button.payload, button.title);
        if (byKeyboard) { ui.input.focus(); } else { ui.log.focus({ preventScroll: true }); }
      });
      group.appendChild(choice);
    });
    return group;
  }

  function renderLog() {
    ui.log.textContent = "";
    ui.notices = noticeBlock();
    ui.log.appendChild(ui.notices);
    var lastUser = -1;
    state.messages.forEach(function (message, index) { if (message.who === "user") { lastUser = index; } });
    state.messages.forEach(function (message, index) {
      ui.log.appendChild(messageNode(message));
      if (message.who === "bot" && index > lastUser && message.buttons && message.buttons.length) {
        ui.log.appendChild(choicesNode(message.buttons));
      }
    });
  }

  function removeChoices() {
    Array.prototype.forEach.call(ui.log.querySelectorAll(".lse-choices"), function (node) {
      node.remove();
    });
  }

  var batchStart = null;
  function appendMessage(message) {
    state.messages.push(message);
    saveState();
    if (message.who === "user") { removeChoices(); }
    var node = messageNode(message);
    ui.log.appendChild(node);
    if (message.who === "bot" && message.buttons && message.buttons.length) {
      ui.log.appendChild(choicesNode(message.buttons));
    }
    if (message.who === "user") {
      batchStart = null;
      scrollLog(ui.log.scrollHeight);
    } else {
      if (!batchStart) { batchStart = node; }
      // Show as much as fits, but never scroll the first new answer out of view.
      scrollLog(Math.min(ui.log.scrollHeight, batchStart.offsetTop - 8));
    }
  }

  function scrollLog(top) {
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    if (ui.log.scrollTo) { ui.log.scrollTo({ top: top, behavior: reduce ? "auto" : "smooth" }); }
    else { ui.log.scrollTop = top; }
  }

  /* ---------- sending and receiving ---------- */

  function submitInput() {
    var text = ui.input.value.trim();
    if (!text) { return; }
    ui.input.value = "";
    updateCounter();
    sendMessage(text, text);
  }

  function sendMessage(payload, shown) {
    appendMessage({ who: "user", text: shown });
    outbox.push(payload);
    flushOutbox();
    showAlert("");
    ui.typing.hidden = false;
    clearTimeout(replyTimer);
    replyTimer = setTimeout(function () {
      ui.typing.hidden = true;
      showAlert(t("no_answer"));
    }, REPLY_TIMEOUT_MS);
    connect();
  }

  function flushOutbox() {
    if (!socket || !confirmed) { return; }
    while (outbox.length) {
      socket.emit("user_uttered", {
        message: outbox.shift(),
        session_id: state.sessionId,
        metadata: { language: state.language }
      });
    }
  }

  function onBotMessage(message) {
    if (!message || typeof message !== "object") { return; }
    var text = typeof message.text === "string" ? message.text : "";
    var raw = Array.isArray(message.quick_replies) ? message.quick_replies
      : (Array.isArray(message.buttons) ? message.buttons : []);
    var buttons = raw.filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }).map(function (b) { return { title: b.title, payload: b.payload }; });
    if (!text && !buttons.length) { return; }
    clearTimeout(replyTimer);
    ui.typing.hidden = true;
    showAlert("");
    var marker = config.language_markers && config.language_markers[text.trim()];
    if (marker && marker !== state.language) {
      state.language = marker;
      applyTexts();
      refreshStatus();
    }
    appendMessage({ who: "bot", text: text, buttons: buttons });
  }

  function connect() {
    if (socket || exiting) { return; }
    confirmed = false;
    connectFailures = 0;
    socket = io(serverUrl, {
      path: "/socket.io",
      // A WebSocket first; long polling when a proxy or network blocks WebSockets.
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      forceNew: true,
      reconnectionDelayMax: 10000,
      timeout: 10000
    });
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("session_confirm", function (confirmedId) {
      var id = typeof confirmedId === "string" ? confirmedId
        : (confirmedId && confirmedId.session_id);
      if (typeof id === "string" && SESSION_PATTERN.test(id) && id !== state.sessionId) {
        state.sessionId = id;
        saveState();
      }
      confirmed = true;
      connectFailures = 0;
      if (ui.alert.textContent === t("offline")) { showAlert(""); }
      flushOutbox();
    });
    socket.on("session_confirm_required", function () {
      confirmed = false;
      socket.emit("session_request", { session_id: state.sessionId });
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("disconnect", function () { confirmed = false; });
    socket.on("connect_error", function () {
      connectFailures += 1;
      if (connectFailures >= 2) { showAlert(t("offline")); }
    });
  }

  function disconnect() {
    if (socket) {
      socket.off();
      socket.disconnect();
      socket = null;
    }
    confirmed = false;
  }

  /* ---------- header: open or closed right now (from the server's schedule) ---------- */

  function refreshStatus() {
    var language = state.language;
    fetch(apiBase + "/api/status?lang=" + language, { credentials: "omit", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (status) {
        if (language !== state.language || typeof status.text !== "string") { return; }
        ui.status.textContent = "";
        linkify(status.text, ui.status);
        ui.status.setAttribute("data-open", status.open ? "true" : "false");
        ui.status.hidden = false;
      })
      .catch(function () { ui.status.hidden = true; });
  }

  /* ---------- controls ---------- */

  function openPanel(focusInput) {
    state.open = true;
    saveState();
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    connect();
    refreshStatus();
    clearInterval(statusTimer);
    statusTimer = setInterval(refreshStatus, STATUS_REFRESH_MS);
    ui.log.scrollTop = ui.log.scrollHeight;
    if (focusInput) { ui.input.focus(); }
  }

  function closePanel(focusLauncher) {
    state.open = false;
    saveState();
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    clearInterval(statusTimer);
    if (focusLauncher) { ui.launcher.focus(); }
  }

  function switchLanguage(language) {
    state.language = language;
    saveState();
    applyTexts();
    refreshStatus();
    if (state.messages.length) {
      // Tell the bot too; it answers in the new language from now on.
      sendMessage(t("language_message"), t("language_message"));
    } else {
      var fresh = noticeBlock();
      ui.log.replaceChild(fresh, ui.notices);
      ui.notices = fresh;
    }
  }

  function restart() {
    disconnect();
    outbox = [];
    clearTimeout(replyTimer);
    forgetState();
    state = freshState(state.language, true);
    saveState();
    batchStart = null;
    ui.typing.hidden = true;
    showAlert("");
    renderLog();
    ui.input.value = "";
    updateCounter();
    announce(t("restarted"));
    connect();
    ui.input.focus();
  }

  function quickExit() {
    if (exiting) { return; }
    exiting = true;
    try { disconnect(); } catch (error) { /* leaving anyway */ }
    forgetState();
    if (ui.host && ui.host.parentNode) { ui.host.parentNode.removeChild(ui.host); }
    document.documentElement.style.setProperty("visibility", "hidden");
    window.location.replace(exitUrl);
  }

  function showAlert(text) {
    ui.alert.textContent = "";
    if (text) { linkify(text, ui.alert); }
  }

  function announce(text) {
    ui.announcer.textContent = "";
    setTimeout(function () { ui.announcer.textContent = text; }, 50);
  }

  function updateCounter() {
    if (!config) { return; }
    var left = config.max_message_length - ui.input.value.length;
    if (left > COUNTER_FROM) {
      ui.counter.hidden = true;
      lastAnnounced = null;
      return;
    }
    var text = left <= 0 ? t("counter_full") : t("counter").replace("{count}", String(left));
    ui.counter.textContent = text;
    ui.counter.setAttribute("data-full", left <= 0 ? "true" : "false");
    ui.counter.hidden = false;
    // Screen readers hear the counter at a few steps only, not at every key.
    var step = null;
    ANNOUNCE_AT.forEach(function (at) { if (left <= at) { step = at; } });
    if (step !== null && step !== lastAnnounced) {
      lastAnnounced = step;
      announce(text);
    }
  }

  /* Esc twice within a second, anywhere on the page: quick exit. Esc once: hide the chat. */
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    var now = Date.now();
    if (now - lastEscape <= ESCAPE_WINDOW_MS) {
      event.preventDefault();
      quickExit();
      return;
    }
    lastEscape = now;
    if (state.open && ui.panel && document.activeElement === ui.host) { closePanel(true); }
  }, true);

  /* Back/forward cache: a page shown again from memory may hold a chat that was since
     cleared (quick exit, start over in another page): show what storage says now. */
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted || !config || !ui.log || exiting) { return; }
    var saved = loadState();
    if (saved && saved.sessionId === state.sessionId && saved.messages.length === state.messages.length) {
      return;
    }
    disconnect();
    state = saved || freshState(startLanguage, false);
    batchStart = null;
    applyTexts();
    renderLog();
    if (state.open) { openPanel(false); } else { closePanel(false); }
  });

  /* ---------- start ---------- */

  function start() {
    fetch(apiBase + "/api/widget-config", { credentials: "omit", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("config " + response.status); }
        return response.json();
      })
      .then(function (loaded) {
        config = loaded;
        buildLinkPattern();
        build();
        if (state.open) { openPanel(false); }
      })
      .catch(function (error) {
        if (window.console) { window.console.error("LSE chat: could not start", error); }
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(io);
