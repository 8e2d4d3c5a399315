// The stylesheet of the public pages: small, readable on a phone, high contrast, visible focus,
// logical properties so Arabic mirrors without a second sheet.
#include "publicform/publicform.h"

namespace ctis::publicform {

const std::string& style_css() {
  static const std::string css = R"css(*,*::before,*::after{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif;font-size:100%;line-height:1.5;color:#1b1b1b;background:#fff}
body{margin:0}
.top{background:#14375f;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
.top a{color:#fff}
.site{margin:0;font-weight:700}
.langs ul{list-style:none;margin:0;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
main{max-width:42rem;margin:0 auto;padding:1rem 1rem 3rem}
h1{font-size:1.75rem;line-height:1.25;margin:1rem 0}
h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
a{color:#0b4f94}
a:hover{text-decoration-thickness:3px}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #c25400;outline-offset:2px;box-shadow:0 0 0 5px #fff}
.safety{border-inline-start:6px solid #14375f;background:#eef3f9;padding:.25rem 1rem;margin:1rem 0}
.safety h2{margin-top:.5rem}
.field{margin:1.25rem 0}
label,legend{display:block;font-weight:600;margin-bottom:.25rem}
.opt{font-weight:400;color:#4a4a4a}
.hint{margin:0 0 .35rem;color:#4a4a4a}
input[type=text],select,textarea{display:block;width:100%;font:inherit;padding:.5rem;border:2px solid #555;border-radius:4px;background:#fff;color:#1b1b1b}
input.short{max-width:8rem}
input[type=file]{font:inherit;max-width:100%}
textarea{min-height:8rem}
fieldset{border:0;padding:0;margin:1.5rem 0}
.choice{display:flex;align-items:flex-start;gap:.6rem;margin:.4rem 0}
.choice input{width:1.4rem;height:1.4rem;margin:.1rem 0 0;flex:none;accent-color:#14375f}
.choice label{font-weight:400;margin:0}
button{font:inherit;font-weight:700;color:#fff;background:#14375f;border:2px solid #14375f;border-radius:4px;padding:.65rem 1.5rem;cursor:pointer}
button:hover{background:#0c2441}
.error{color:#a4001c;font-weight:600;margin:.25rem 0}
[aria-invalid=true]{border-color:#a4001c}
.error-summary{border:4px solid #a4001c;padding:.5rem 1rem;margin:1rem 0}
.error-summary h2{margin-top:.25rem}
.error-summary a{color:#a4001c;font-weight:600}
.hp{position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.receipt{border:4px solid #14375f;padding:.5rem 1rem;margin:1rem 0}
.code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:2rem;font-weight:700;letter-spacing:.08em;display:flex;flex-wrap:wrap;gap:.25rem;margin:.5rem 0;direction:ltr;unicode-bidi:isolate}
.code .sep{color:#4a4a4a}
.warning{background:#fff4e5;border-inline-start:6px solid #c25400;padding:.5rem .75rem}
.code-input{font-family:ui-monospace,"DejaVu Sans Mono",monospace;letter-spacing:.05em}
.facts dt{font-weight:600}
.facts dd{margin:0 0 .75rem}
.status{margin:0}
.thread{list-style:none;padding:0}
.msg{border:1px solid #8a8a8a;border-radius:6px;padding:.5rem .75rem;margin:.75rem 0}
.msg-staff{background:#eef3f9}
.msg .meta{margin:0;color:#4a4a4a;font-size:.9rem}
.msg .body{margin:.25rem 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
.note,.muted{color:#4a4a4a}
.aside{margin-top:2rem}
@media (prefers-reduced-motion:no-preference){html{scroll-behavior:smooth}}
)css";
  return css;
}

}  // namespace ctis::publicform
