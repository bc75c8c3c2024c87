// The widget's stylesheet, adopted by its shadow root as a constructable stylesheet (no <style>
// element, so a host page's CSP needs no 'unsafe-inline'). `--c` is the theme colour, `--f` the
// text colour on it. The host element's rules are !important: host CSS cannot move or hide it, nor
// restyle its text. Its font and colour must be !important too, or `all:initial!important` beats them
// and the widget renders in the browser's default font (Times New Roman, 16 px). Dish names may be
// long words (120 characters): `.v` wraps anywhere (never inside a button: "Sen|d"), and `.e` (the price and
// Add) never shrinks. The focus ring has two tones (a white outline in a dark box-shadow: one of them
// contrasts 3:1 with any background), drawn inside tabs and list items so the panel's edge cannot clip
// it. `.full` is the panel on a phone, placed over the visual viewport by shell.ts (fit). The dark
// scheme darkens the panel and keeps the restaurant's colour (--c) where it is (docs/widget.md).

export const STYLES = `:host{all:initial!important;position:fixed!important;z-index:2147483000!important;bottom:16px!important;right:16px!important;display:block!important;font:15px/1.45 system-ui,sans-serif!important;color:#1b1b1b!important}
:host([data-position=left]){left:16px!important;right:auto!important}
*{box-sizing:border-box;font:inherit;color:inherit}
[hidden]{display:none!important}
button,select,input{border-radius:8px;border:1px solid #888;background:#fff;min-height:36px;padding:6px 10px;cursor:pointer;overflow-wrap:normal}
input{cursor:text;width:100%}
button:disabled{cursor:not-allowed;opacity:.5}
:focus-visible{outline:2px solid #fff;outline-offset:0;box-shadow:0 0 0 5px #1b1b1b}
[role=tab]:focus-visible,.lb button:focus-visible{outline:2px solid #1b1b1b;outline-offset:-2px;box-shadow:inset 0 0 0 5px #fff}
.fab{display:flex;align-items:center;gap:8px;border:0;border-radius:28px;min-height:52px;padding:0 20px;font-weight:600;box-shadow:0 4px 16px #0005}
.fab svg{width:22px;fill:currentColor}
.fab,.add,.go,form button,[aria-pressed=true],.me{background:var(--c);color:var(--f);border-color:var(--c)}
.n,.k{background:var(--f);color:var(--c);border-radius:10px;padding:0 7px;font-size:13px}
.k{display:inline-block;margin-left:5px;background:var(--c);color:var(--f);font-weight:700}
.z{font-size:0}
.panel{position:absolute;bottom:64px;right:0;width:390px;max-width:calc(100vw - 32px);height:min(640px,100vh - 96px);display:flex;flex-direction:column;background:#fff;border-radius:14px;box-shadow:0 10px 40px #0005;overflow:hidden;animation:in .2s}
:host([data-position=left]) .panel{right:auto;left:0}
@keyframes in{from{opacity:0;transform:translateY(8px)}}
.hd{display:flex;align-items:flex-start;padding:12px 8px 8px 16px;background:var(--c);color:var(--f)}
.hd>div{flex:1;min-width:0}
h2,h3{margin:0;font-size:17px;font-weight:700}
.st{font-size:13px;margin:0}
.x{border:0;background:none;font-size:24px;min-width:44px;min-height:44px}
[role=tablist]{display:flex;border-bottom:1px solid #ddd}
[role=tab]{flex:1 1 auto;min-width:0;border:0;border-radius:0;min-height:44px;padding:6px 4px;border-bottom:3px solid transparent;white-space:nowrap}
[role=tab][aria-selected=true]{border-bottom-color:var(--c);font-weight:700}
.v{flex:1;overflow:auto;padding:8px 16px;overscroll-behavior:contain;scroll-padding-block:8px;overflow-wrap:anywhere}
.chat{display:flex;flex-direction:column;padding:0}
h3{font-size:16px;margin-top:16px}
ul{list-style:none;margin:0;padding:0}
.i{display:flex;gap:12px}
.i,.c{padding:10px 0;border-bottom:1px solid #eee}
.i>div:first-child{flex:1}
.e{display:flex;flex-direction:column;align-items:flex-end;gap:6px;flex:none}
.r{display:flex;justify-content:space-between;gap:8px}
h4,.c h3,.card h3{margin:0;font-size:15px;font-weight:600}
.p{white-space:nowrap;font-weight:600}
.d,.a,.m{font-size:13px;color:#555;margin:2px 0}
.w{color:#8a3b00;font-weight:600}
.b{display:inline-block;font-size:12px;border-radius:10px;padding:0 8px;margin:2px 4px 2px 0;background:#eef3f1;color:#1e4d40}
.add{border:0;font-weight:600}
.f{display:flex;flex-wrap:wrap;gap:6px}
.f button,.chips button{border-radius:18px}
.av{position:relative}
.lb{position:absolute;z-index:1;overscroll-behavior:contain;left:0;top:calc(100% + 4px);width:max-content;max-width:min(280px,80vw);max-height:260px;overflow:auto;margin:0;padding:4px;background:#fff;border:1px solid #888;border-radius:8px;box-shadow:0 6px 20px #0004}
.lb button{display:flex;width:100%;gap:8px;border:0;border-radius:4px;text-align:left;min-height:40px}
.lb button::before{content:"";flex:none;width:16px;height:16px;margin-top:2px;border:2px solid currentColor;border-radius:3px}
.lb [aria-checked=true]::before{background:currentColor;box-shadow:inset 0 0 0 2px #fff}
.log{flex:1;overflow:auto;scroll-padding-block:8px;padding:12px 16px;display:flex;flex-direction:column;gap:8px}
.msg{max-width:90%;padding:8px 12px;border-radius:12px;background:#f1f1f1;white-space:pre-wrap}
.msg.me{align-self:flex-end;background:var(--c)}
.note{align-self:center;background:#fff4e5;font-size:13px}
.card{background:#fff;border:1px solid #ddd;border-radius:10px;padding:8px;margin-top:6px;white-space:normal}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}
.u{display:flex;flex-wrap:wrap;align-items:center;gap:4px 6px;margin-top:6px;font-size:13px;white-space:normal}
.u span{display:inline-flex;align-items:center;border:1px solid;border-radius:14px;padding-left:10px;background:#eef3f1;color:#1e4d40}
.ua span{background:#fff4e5;color:#8a3b00;font-weight:700}
.u button{border:0;background:none;min-height:28px;min-width:30px;padding:0;border-radius:14px;font-size:17px;line-height:1}
.dots span{display:inline-block;width:7px;height:7px;margin:0 2px;border-radius:50%;background:#777;animation:b 1s infinite}
.dots span+span{animation-delay:.3s}
@keyframes b{50%{opacity:.2}}
form{display:flex;gap:8px;padding:10px 12px;border-top:1px solid #ddd}
.q{display:flex;align-items:center;gap:6px;margin:6px 0}
.q button{min-width:40px;min-height:40px}
.t{display:flex;justify-content:space-between;font-weight:700;margin:12px 0 4px}
.go{width:100%;min-height:48px;margin-top:8px;font-weight:600}
.code{font-size:32px;letter-spacing:4px;font-weight:800;text-align:center;margin:0}
.err{color:#a00}
.bn{margin:8px 0;padding:10px 12px;border-radius:8px;background:#fff4e5;color:#6b2e00;font-weight:600}
.fd{margin:10px 0}
.fd label{display:block;font-size:13px;font-weight:600;margin-bottom:2px}
.fd select{width:100%}
.fd .err{margin:2px 0;font-size:13px}
[aria-invalid=true]{border-color:#a00}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:480px){.panel{position:fixed;inset:0;width:auto;max-width:none;height:auto;border-radius:0}}
.panel.full{position:fixed;inset:auto;max-width:none;border-radius:0;transform-origin:0 0;animation:none;touch-action:none;padding:env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left)}
.full .v,.full .log,.full .lb{touch-action:pan-x pan-y}
@media (prefers-color-scheme:dark){.panel,.card,.lb{background:#1c1c1e;color:#ececec}
button,select,input{background:#2c2c2e;border-color:#8e8e93}
[role=tablist],form{border-color:#48484a}
.i,.c{border-color:#3a3a3c}
.d,.a,.m{color:#c7c7cc}
.w,.ua span{color:#ffb37a}
.err{color:#ff9a8f}
.b,.u span{background:#1f3a33;color:#bfe6d8}
.msg{background:#2c2c2e}
.note,.ua span{background:#3d2a12}
.card,.lb{border-color:#48484a}
.lb [aria-checked=true]::before{box-shadow:inset 0 0 0 2px #1c1c1e}
.dots span{background:#aeaeb2}}
@media (prefers-reduced-motion:reduce){*{animation:none!important}}`;
