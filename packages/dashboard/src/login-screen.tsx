// Asked for when the server wants a bearer token: the token is checked against the server before
// it is kept, and kept only in this tab's sessionStorage.
import { useState } from "preact/hooks";
import { clientFor, errorText, isUnauthorized } from "./session.js";

export function LoginScreen({ reason, onLogin }: { reason: string | null; onLogin(token: string): void }) {
	const [token, setToken] = useState("");
	const [problem, setProblem] = useState<string | null>(reason);
	const [checking, setChecking] = useState(false);
	async function submit(e: Event) {
		e.preventDefault();
		setChecking(true);
		try {
			await clientFor(token).workflows();
			onLogin(token);
		} catch (error) {
			setProblem(isUnauthorized(error) ? "That is not this server's token." : errorText(error));
		} finally {
			setChecking(false);
		}
	}
	return (
		<main class="login">
			<form onSubmit={submit} data-testid="login">
				<h1>Weft</h1>
				<p>This server requires its API token (WEFT_TOKEN, or "token" in weft.config.ts).</p>
				<input
					type="password"
					name="token"
					autocomplete="current-password"
					placeholder="API token"
					aria-label="API token"
					value={token}
					onInput={(e) => setToken(e.currentTarget.value)}
				/>
				<button type="submit" disabled={checking || token === ""}>
					Sign in
				</button>
				{problem ? (
					<p class="error" data-testid="login-error">
						{problem}
					</p>
				) : null}
			</form>
		</main>
	);
}
