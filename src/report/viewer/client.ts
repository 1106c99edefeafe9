// The viewer's script, run in the browser. It is written into the page as the source of `viewerMain`
// (page.ts), so it must not refer to anything outside its own body: types only from manifest.ts.
//
// One view state is shared by every panel: the image point at the panels' centre (cx, cy) and the scale
// s (screen pixels per image pixel), so all columns show the same pixels, synchronised while zooming
// and panning; nearest-neighbour only when zoomed in (s > 1), smooth when zoomed out.
import type { CellScore, ViewImage, ViewManifest, ViewSet } from './manifest.js';

export function viewerMain(m: ViewManifest): void {
  const $ = <T extends HTMLElement>(sel: string): T => document.querySelector(sel) as T;
  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Record<string, string> = {},
    ...kids: (Node | string)[]
  ): HTMLElementTagNameMap[K] => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    e.append(...kids);
    return e;
  };
  const fmt = (v: number | undefined, digits: number): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

  const st = {
    set: 0,
    image: 0,
    before: '',
    after: '',
    errors: false,
    cx: 0,
    cy: 0,
    s: 1,
    fit: true,
    split: 0.5,
    sortKey: 'name',
    sortDir: 1,
    order: [] as number[],
  };
  const cur = (): ViewSet => m.sets[st.set]!;
  const img = (): ViewImage => cur().images[st.image]!;
  const scored = (): ViewSet['columns'] => cur().columns.filter((c) => c.role !== 'gt');

  /** after − before in PSNR (dB), or NIQE(before) − NIQE(after) without ground truth: positive is better. */
  const gainOf = (im: ViewImage): number => {
    const b: CellScore | undefined = im.scores[st.before],
      a: CellScore | undefined = im.scores[st.after];
    if (!a || !b) return NaN;
    return cur().referenced ? (a.psnr ?? NaN) - (b.psnr ?? NaN) : (b.niqe ?? NaN) - (a.niqe ?? NaN);
  };
  const sortValue = (im: ViewImage, key: string): number | string => {
    if (key === 'name') return im.name;
    if (key === 'gain') return gainOf(im);
    const [col, metric] = key.split('\u0000') as [string, keyof CellScore];
    return im.scores[col]?.[metric] ?? NaN;
  };

  // ---- the panels -------------------------------------------------------------------------------
  const panels = $<HTMLDivElement>('#panels');
  const viewports: HTMLDivElement[] = [];

  function viewport(): HTMLDivElement {
    const vp = el('div', { class: 'vp' });
    viewports.push(vp);
    return vp;
  }

  function buildPanels(): void {
    panels.replaceChildren();
    viewports.length = 0;
    const vp = viewport();
    vp.classList.add('compare');
    vp.append(
      el('img', { class: 'before', alt: 'before', draggable: 'false' }),
      el('div', { class: 'clip' }, el('img', { class: 'after', alt: 'after', draggable: 'false' })),
      el('div', { class: 'handle', role: 'slider', 'aria-label': 'before/after split', tabindex: '0' }),
      el('span', { class: 'tag left' }),
      el('span', { class: 'tag right' }),
    );
    panels.append(el('figure', { class: 'panel', id: 'compare' }, vp, el('figcaption', {}, 'before | after: drag the handle')));
    for (const c of cur().columns) {
      const v = viewport();
      v.dataset.col = c.id;
      v.append(el('img', { class: 'single', alt: c.label, draggable: 'false' }));
      panels.append(el('figure', { class: 'panel' }, v, el('figcaption', {})));
    }
    for (const v of viewports) attach(v);
  }

  function srcOf(col: string): string | undefined {
    const im = img();
    return (st.errors && im.errors[col]) || im.files[col];
  }

  function setSrc(i: HTMLImageElement, src: string | undefined): void {
    if (!src) {
      i.removeAttribute('src');
      i.style.visibility = 'hidden';
      return;
    }
    if (i.getAttribute('src') !== src) i.setAttribute('src', src);
    i.style.visibility = '';
  }

  function showImage(): void {
    const im = img(),
      cols = cur().columns;
    const label = (id: string): string => cols.find((c) => c.id === id)?.label ?? id;
    const cmp = viewports[0]!;
    setSrc(cmp.querySelector('img.before')!, srcOf(st.before));
    setSrc(cmp.querySelector('img.after')!, srcOf(st.after));
    cmp.querySelector('.tag.left')!.textContent = label(st.before);
    cmp.querySelector('.tag.right')!.textContent = label(st.after);
    for (const v of viewports.slice(1)) {
      const c = cols.find((x) => x.id === v.dataset.col)!;
      setSrc(v.querySelector('img')!, srcOf(c.id));
      const sc = im.scores[c.id];
      const score = !sc
        ? c.role === 'gt' || im.files[c.id]
          ? ''
          : 'missing'
        : cur().referenced
          ? `${fmt(sc.psnr, 2)} dB / ${fmt(sc.ssim, 3)}`
          : `NIQE ${fmt(sc.niqe, 2)}`;
      v.parentElement!.querySelector('figcaption')!.textContent = `${c.label}${score ? `: ${score}` : ''}`;
    }
    for (const i of panels.querySelectorAll('img')) {
      i.setAttribute('width', String(im.width));
      i.setAttribute('height', String(im.height));
    }
    $('#current').textContent = `${im.name} (${im.width}×${im.height}), ${st.order.indexOf(st.image) + 1} of ${cur().images.length}`;
    for (const tr of document.querySelectorAll<HTMLTableRowElement>('#scores tbody tr'))
      tr.classList.toggle('current', Number(tr.dataset.index) === st.image);
    if (st.fit) fit();
    apply();
  }

  function fit(): void {
    const im = img(),
      vp = viewports[0]!;
    st.s = Math.min(vp.clientWidth / im.width, vp.clientHeight / im.height);
    st.cx = im.width / 2;
    st.cy = im.height / 2;
  }

  function apply(): void {
    for (const v of viewports) {
      const tx = v.clientWidth / 2 - st.cx * st.s,
        ty = v.clientHeight / 2 - st.cy * st.s;
      for (const i of v.querySelectorAll('img')) {
        i.style.transform = `translate(${tx}px, ${ty}px) scale(${st.s})`;
        i.style.imageRendering = st.s > 1 ? 'pixelated' : 'auto';
      }
    }
    const cmp = viewports[0]!;
    const x = st.split * cmp.clientWidth;
    (cmp.querySelector('.clip') as HTMLElement).style.clipPath = `inset(0 0 0 ${x}px)`;
    (cmp.querySelector('.handle') as HTMLElement).style.left = `${x}px`;
    cmp.querySelector('.handle')!.setAttribute('aria-valuenow', String(Math.round(st.split * 100)));
    $('#zoom').textContent = `${st.s >= 1 ? `${+st.s.toFixed(2)}×` : `1/${+(1 / st.s).toFixed(2)}×`}`;
  }

  function zoomTo(s: number, vp: HTMLElement, mx: number, my: number): void {
    const s2 = Math.min(64, Math.max(1 / 16, s));
    // The image point under (mx, my) stays there.
    const px = st.cx + (mx - vp.clientWidth / 2) / st.s,
      py = st.cy + (my - vp.clientHeight / 2) / st.s;
    st.cx = px - (mx - vp.clientWidth / 2) / s2;
    st.cy = py - (my - vp.clientHeight / 2) / s2;
    st.s = s2;
    st.fit = false;
    apply();
  }

  function attach(vp: HTMLDivElement): void {
    vp.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = vp.getBoundingClientRect();
        zoomTo(st.s * Math.exp(-e.deltaY * 0.002), vp, e.clientX - r.left, e.clientY - r.top);
      },
      { passive: false },
    );
    vp.addEventListener('pointerdown', (e) => {
      const onHandle = (e.target as HTMLElement).classList.contains('handle');
      vp.setPointerCapture(e.pointerId);
      let lastX = e.clientX,
        lastY = e.clientY;
      const move = (ev: PointerEvent): void => {
        if (onHandle) {
          const r = vp.getBoundingClientRect();
          st.split = Math.min(1, Math.max(0, (ev.clientX - r.left) / r.width));
        } else {
          st.cx -= (ev.clientX - lastX) / st.s;
          st.cy -= (ev.clientY - lastY) / st.s;
          st.fit = false;
        }
        lastX = ev.clientX;
        lastY = ev.clientY;
        apply();
      };
      const up = (): void => {
        vp.removeEventListener('pointermove', move);
        vp.removeEventListener('pointerup', up);
        vp.removeEventListener('pointercancel', up);
      };
      vp.addEventListener('pointermove', move);
      vp.addEventListener('pointerup', up);
      vp.addEventListener('pointercancel', up);
    });
  }

  // ---- the table ----------------------------------------------------------------------------------
  function buildTable(): void {
    const set = cur(),
      cols = scored();
    const metrics: [keyof CellScore, string, number][] = set.referenced
      ? [
          ['psnr', 'PSNR', 2],
          ['ssim', 'SSIM', 3],
        ]
      : [['niqe', 'NIQE', 2]];
    const th = (label: string, key: string, extra: Record<string, string> = {}): HTMLTableCellElement => {
      const h = el('th', { 'data-key': key, class: 'sortable', title: 'sort', ...extra }, label);
      if (st.sortKey === key) h.classList.add(st.sortDir > 0 ? 'asc' : 'desc');
      h.addEventListener('click', () => {
        st.sortDir = st.sortKey === key ? -st.sortDir : key === 'name' ? 1 : -1;
        st.sortKey = key;
        buildTable();
      });
      return h;
    };
    const head1 = el(
      'tr',
      {},
      el('th', {}, ''),
      ...cols.map((c) => el('th', { colspan: String(metrics.length) }, c.label)),
      el('th', {}, ''),
    );
    const head2 = el(
      'tr',
      {},
      th('image', 'name'),
      ...cols.flatMap((c) => metrics.map(([k, label]) => th(label, `${c.id}\u0000${k}`))),
      th(set.referenced ? 'gain (dB)' : 'gain (NIQE)', 'gain', { id: 'gain-head' }),
    );
    st.order = set.images.map((_, i) => i);
    st.order.sort((a, b) => {
      const va = sortValue(set.images[a]!, st.sortKey),
        vb = sortValue(set.images[b]!, st.sortKey);
      if (typeof va === 'string' || typeof vb === 'string') return String(va).localeCompare(String(vb)) * st.sortDir;
      if (Number.isNaN(va)) return Number.isNaN(vb) ? 0 : 1; // unscored last either way
      if (Number.isNaN(vb)) return -1;
      return (va - vb) * st.sortDir;
    });
    const best = (im: ViewImage, k: keyof CellScore): number => {
      const vals = cols.filter((c) => c.role === 'method').map((c) => im.scores[c.id]?.[k] ?? NaN);
      const finite = vals.filter(Number.isFinite);
      return k === 'niqe' ? Math.min(...finite) : Math.max(...finite);
    };
    const rows = st.order.map((i) => {
      const im = set.images[i]!;
      const tr = el(
        'tr',
        { 'data-index': String(i) },
        el('td', {}, im.name),
        ...cols.flatMap((c) =>
          metrics.map(([k, , digits]) => {
            const v = im.scores[c.id]?.[k];
            return el('td', c.role === 'method' && v !== undefined && v === best(im, k) ? { class: 'best' } : {}, fmt(v, digits));
          }),
        ),
        el('td', { class: 'gain' }, fmt(gainOf(im), 2)),
      );
      tr.addEventListener('click', () => select(i));
      return tr;
    });
    const mean = (f: (im: ViewImage) => number): number => {
      const v = set.images.map(f).filter(Number.isFinite);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
    };
    const foot = el(
      'tr',
      {},
      el('td', {}, `mean of ${set.images.length}`),
      ...cols.flatMap((c) =>
        metrics.map(([k, , d]) =>
          el(
            'td',
            {},
            fmt(
              mean((im) => im.scores[c.id]?.[k] ?? NaN),
              d,
            ),
          ),
        ),
      ),
      el('td', {}, fmt(mean(gainOf), 2)),
    );
    $('#scores').replaceChildren(el('thead', {}, head1, head2), el('tbody', {}, ...rows), el('tfoot', {}, foot));
    for (const tr of document.querySelectorAll<HTMLTableRowElement>('#scores tbody tr'))
      tr.classList.toggle('current', Number(tr.dataset.index) === st.image);
  }

  function select(i: number): void {
    st.image = i;
    showImage();
    document.querySelector(`#scores tbody tr[data-index="${i}"]`)?.scrollIntoView({ block: 'nearest' });
  }

  function extremeGain(sign: number): void {
    let bestI = -1,
      bestV = -Infinity;
    cur().images.forEach((im, i) => {
      const g = gainOf(im) * sign;
      if (Number.isFinite(g) && g > bestV) [bestI, bestV] = [i, g];
    });
    if (bestI >= 0) select(bestI);
  }

  // ---- controls -----------------------------------------------------------------------------------
  function fillPickers(): void {
    const cols = cur().columns;
    const pick = (sel: HTMLSelectElement, value: string): void => {
      sel.replaceChildren(...cols.map((c) => el('option', { value: c.id }, c.label)));
      sel.value = value;
    };
    const input = cols.find((c) => c.role === 'input') ?? cols[0]!;
    const methods = cols.filter((c) => c.role === 'method');
    st.before = input.id;
    st.after = (methods[methods.length - 1] ?? cols.find((c) => c.id !== input.id) ?? input).id;
    pick($('#before'), st.before);
    pick($('#after'), st.after);
    $<HTMLInputElement>('#errors').disabled = !cur().referenced;
  }

  function loadSet(i: number): void {
    st.set = i;
    st.image = 0;
    st.fit = true;
    if (!cur().referenced) st.errors = false;
    $<HTMLInputElement>('#errors').checked = st.errors;
    fillPickers();
    buildPanels();
    buildTable();
    showImage();
  }

  const setPicker = $<HTMLSelectElement>('#set');
  setPicker.replaceChildren(...m.sets.map((s, i) => el('option', { value: String(i) }, s.name)));
  setPicker.parentElement!.hidden = m.sets.length < 2;
  setPicker.addEventListener('change', () => loadSet(Number(setPicker.value)));
  $<HTMLSelectElement>('#before').addEventListener('change', (e) => {
    st.before = (e.target as HTMLSelectElement).value;
    buildTable();
    showImage();
  });
  $<HTMLSelectElement>('#after').addEventListener('change', (e) => {
    st.after = (e.target as HTMLSelectElement).value;
    buildTable();
    showImage();
  });
  $<HTMLInputElement>('#errors').addEventListener('change', (e) => {
    st.errors = (e.target as HTMLInputElement).checked;
    showImage();
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-zoom]'))
    b.addEventListener('click', () => {
      const z = b.dataset.zoom!;
      if (z === 'fit') {
        st.fit = true;
        fit();
        apply();
      } else {
        const vp = viewports[0]!;
        zoomTo(Number(z), vp, vp.clientWidth / 2, vp.clientHeight / 2);
      }
    });
  const step = (d: number): void => {
    const n = st.order.length,
      at = st.order.indexOf(st.image);
    select(st.order[(at + d + n) % n]!);
  };
  $('#prev').addEventListener('click', () => step(-1));
  $('#next').addEventListener('click', () => step(1));
  $('#best').addEventListener('click', () => extremeGain(1));
  $('#worst').addEventListener('click', () => extremeGain(-1));
  document.addEventListener('keydown', (e) => {
    if ((e.target as HTMLElement).matches('input, select, textarea')) return;
    if (e.key === 'ArrowRight' || e.key === 'j') step(1);
    else if (e.key === 'ArrowLeft' || e.key === 'k') step(-1);
    else if (e.key === 'e' && cur().referenced) $<HTMLInputElement>('#errors').click();
    else return;
    e.preventDefault();
  });
  window.addEventListener('resize', () => {
    if (st.fit) fit();
    apply();
  });
  if (m.sets.length > 0) loadSet(0);
}
