import type { Context } from "hono";
import { render } from "./common.tsx";

export function signInPage(c: Context, options: { next: string; error?: string; status?: 200 | 400 }) {
  return render(
    c,
    "Sign in",
    <section class="signin" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in to Vigil</h1>
      {options.error ? (
        <p class="notice error" role="alert">
          {options.error}
        </p>
      ) : null}
      <form method="post" action="/sign-in">
        <input type="hidden" name="next" value={options.next} />
        <p>
          <label>
            API key
            <input name="key" type="password" autocomplete="current-password" required size={48} />
          </label>
        </p>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
      <p class="muted">
        A key is printed on first start, or made with <code>vigil keys create --project NAME</code>. You see
        the key's project only. The key stays in an httpOnly cookie of this browser until you sign out.
      </p>
    </section>,
    { status: options.status },
  );
}
