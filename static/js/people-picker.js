// The member pickers: a <select data-people-search="…?for=…"> becomes a search box whose results
// come from the network's people search (ties/views/people.py), in the ARIA combobox pattern
// (arrow keys, Enter, Escape; aria-activedescendant names the option in focus). The select stays
// in the form, hidden, and holds the choice: the form is sent, and checked, exactly as without
// JavaScript. If the search fails, the select comes back. No inline script or style: the page's
// Content-Security-Policy may forbid both. Every sentence comes from the select's data-*
// attributes, written by the form in the reader's language.
(function () {
  "use strict";
  const DELAY_MS = 250; // ask after a pause in typing, not at every key
  const MIN_LETTERS = 2; // the server finds nobody with fewer

  function enhance(select, number) {
    const base = (select.id || "people-picker-" + number) + "-search";
    const label = document.querySelector('label[for="' + select.id + '"]');
    const texts = select.dataset;

    const wrapper = document.createElement("div");
    wrapper.className = "people-picker";
    const input = document.createElement("input");
    input.type = "text";
    input.id = base;
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "-results");
    const list = document.createElement("ul");
    list.id = base + "-results";
    list.className = "people-picker-results";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const status = document.createElement("small");
    status.id = base + "-status";
    status.className = "people-picker-status";
    status.setAttribute("aria-live", "polite");
    status.textContent = texts.hint;
    const described = [status.id, select.getAttribute("aria-describedby")];
    input.setAttribute("aria-describedby", described.filter(Boolean).join(" "));
    if (select.getAttribute("aria-invalid")) {
      input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    }
    if (label) {
      if (!label.id) label.id = base + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }
    wrapper.append(input, list, status);
    select.after(wrapper);

    // The select keeps the value; the browser's "required" check moves to what people see.
    const required = select.required;
    function useSearch(on) {
      select.hidden = on;
      wrapper.hidden = !on;
      select.required = required && !on;
      input.required = required && on;
      if (label) label.htmlFor = on ? input.id : select.id;
    }
    useSearch(true);
    const chosen = select.options[select.selectedIndex];
    if (chosen && chosen.value) input.value = chosen.text; // a form shown again, or prefilled

    let results = [];
    let active = -1;
    let timer = null;
    let asked = 0; // answers to older questions arrive late: only the last one counts

    function open() {
      if (!results.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      highlight(-1);
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index < 0) return;
      const option = list.children[index];
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }

    function option(person, index) {
      const item = document.createElement("li");
      item.id = list.id + "-" + index;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      const name = document.createElement("span");
      name.textContent = person.name; // text, never HTML: names are typed by members
      item.append(name);
      if (person.company) {
        const company = document.createElement("small");
        company.textContent = person.company;
        item.append(" ", company);
      }
      // mousedown would take the focus from the box (and close the list) before the click.
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      item.addEventListener("click", function () {
        choose(index);
      });
      return item;
    }

    function show(people) {
      results = people;
      list.replaceChildren.apply(list, people.map(option));
      status.textContent = people.length ? texts.found : texts.none;
      if (people.length) {
        open();
        highlight(-1);
      } else {
        close();
      }
    }

    function choose(index) {
      const person = results[index];
      const value = String(person.id);
      let item = Array.prototype.find.call(select.options, function (o) {
        return o.value === value;
      });
      if (!item) {
        // Someone who joined after the page was drawn: the form checks them when it is sent.
        item = new Option(person.name, value);
        select.add(item);
      }
      select.value = value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = item.text;
      status.textContent = "";
      close();
    }

    function giveUp() {
      // The search does not answer (offline, signed out, a server error): the plain list.
      close();
      useSearch(false);
      const note = document.createElement("small");
      note.textContent = texts.error;
      select.after(note);
    }

    function search(query) {
      asked += 1;
      const question = asked;
      const url = new URL(texts.peopleSearch, window.location.href);
      url.searchParams.set("q", query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (question !== asked) return null;
          if (response.status === 429) {
            close();
            status.textContent = texts.tooMany;
            return null;
          }
          if (!response.ok) throw new Error("people search: " + response.status);
          return response.json().then(function (data) {
            if (question === asked) show(Array.isArray(data.results) ? data.results : []);
          });
        })
        .catch(function () {
          if (question === asked) giveUp();
        });
    }

    input.addEventListener("input", function () {
      if (select.value) {
        select.value = ""; // typing again undoes the choice until a new one is made
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      window.clearTimeout(timer);
      const query = input.value.trim();
      if (query.length < MIN_LETTERS) {
        asked += 1; // a slower answer to a longer query must not open the list now
        results = [];
        close();
        status.textContent = texts.hint;
        return;
      }
      timer = window.setTimeout(function () {
        search(query);
      }, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!results.length) return;
        event.preventDefault();
        open();
        const last = results.length - 1;
        if (event.key === "ArrowDown") highlight(active >= last ? 0 : active + 1);
        else highlight(active <= 0 ? last : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault(); // choose, do not send the form yet
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", close);
  }

  document.querySelectorAll("select[data-people-search]").forEach(enhance);
})();
