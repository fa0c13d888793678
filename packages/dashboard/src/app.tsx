// The shell: finds out whether the server wants a token (any 401 means it does), shows the login
// screen until it has a good one, then the navigation and the page the URL's hash names.
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { useRoute } from "./hash-route.js";
import { InstancePage } from "./instance-page.js";
import { InstancesPage } from "./instances-page.js";
import { LoginScreen } from "./login-screen.js";
import { OverviewPage } from "./overview-page.js";
import { PlaygroundPage } from "./playground-page.js";
import { clientFor, errorText, isUnauthorized, type Session, SessionContext, storedToken, storeToken } from "./session.js";

type Gate = { state: "checking" } | { state: "login"; reason: string | null } | { state: "in" } | { state: "down"; reason: string };

export function App() {
	const [token, setToken] = useState(storedToken);
	const [gate, setGate] = useState<Gate>({ state: "checking" });
	const client = useMemo(() => clientFor(token), [token]);

	useEffect(() => {
		client.workflows().then(
			() => setGate({ state: "in" }),
			(e: unknown) =>
				setGate(
					isUnauthorized(e)
						? { state: "login", reason: token ? "The saved token was refused; sign in again." : null }
						: { state: "down", reason: errorText(e) },
				),
		);
	}, [client, token]);

	const reportError = useCallback((e: unknown) => {
		if (!isUnauthorized(e)) return;
		storeToken(undefined);
		setGate({ state: "login", reason: "The server refused the token; sign in again." });
	}, []);
	const session = useMemo<Session>(() => ({ client, reportError }), [client, reportError]);
	const route = useRoute();

	if (gate.state === "checking") return <p class="muted page">Connecting…</p>;
	if (gate.state === "down") return <p class="error page">Cannot reach the Weft server: {gate.reason}</p>;
	if (gate.state === "login")
		return (
			<LoginScreen
				reason={gate.reason}
				onLogin={(t) => {
					storeToken(t);
					setToken(t);
					setGate({ state: "in" });
				}}
			/>
		);

	return (
		<SessionContext.Provider value={session}>
			<nav class="nav">
				<strong class="brand">Weft</strong>
				<a href="#/" class={route.page === "overview" ? "active" : ""}>
					Overview
				</a>
				<a href="#/instances" class={route.page === "instances" || route.page === "instance" ? "active" : ""}>
					Instances
				</a>
				<a href="#/playground" class={route.page === "playground" ? "active" : ""}>
					Playground
				</a>
				<span class="spacer" />
				{token ? (
					<button
						type="button"
						class="link"
						onClick={() => {
							storeToken(undefined);
							setToken(undefined);
						}}
					>
						Sign out
					</button>
				) : null}
			</nav>
			<main>
				{route.page === "overview" ? <OverviewPage /> : null}
				{route.page === "instances" ? <InstancesPage query={route.query} /> : null}
				{route.page === "instance" ? <InstancePage workflow={route.workflow} id={route.id} /> : null}
				{route.page === "playground" ? <PlaygroundPage query={route.query} /> : null}
			</main>
		</SessionContext.Provider>
	);
}
