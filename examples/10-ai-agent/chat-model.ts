// One call of an OpenAI-compatible chat-completions endpoint, streamed, with the official client:
// the streamed text and tool calls are put back together into the assistant's message.
import OpenAI from "openai";
import { TOOLS } from "./tools.js";

export type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;
export type AssistantMessage = OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam;

export interface ModelSettings {
	baseURL: string;
	apiKey: string;
	model: string;
}

/** The settings from OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL, or an error saying what is missing. */
export function modelSettingsFromEnv(env: NodeJS.ProcessEnv): ModelSettings {
	if (!env.OPENAI_API_KEY)
		throw new Error("set OPENAI_API_KEY (and OPENAI_BASE_URL for a server other than OpenAI's, OPENAI_MODEL for another model), or run with --mock");
	return { baseURL: env.OPENAI_BASE_URL ?? "https://api.openai.com/v1", apiKey: env.OPENAI_API_KEY, model: env.OPENAI_MODEL ?? "gpt-4o-mini" };
}

export async function callModel(settings: ModelSettings, messages: Message[], signal?: AbortSignal): Promise<AssistantMessage> {
	const client = new OpenAI({ baseURL: settings.baseURL, apiKey: settings.apiKey, maxRetries: 0 });
	const stream = await client.chat.completions.create({ model: settings.model, messages, tools: TOOLS, stream: true }, signal ? { signal } : {});
	let content = "";
	const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
	for await (const chunk of stream) {
		const delta = chunk.choices[0]?.delta;
		if (delta?.content) content += delta.content;
		for (const part of delta?.tool_calls ?? []) {
			calls[part.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } };
			const call = calls[part.index] as (typeof calls)[number];
			if (part.id) call.id = part.id;
			if (part.function?.name) call.function.name += part.function.name;
			if (part.function?.arguments) call.function.arguments += part.function.arguments;
		}
	}
	return { role: "assistant", content: content || null, ...(calls.length > 0 ? { tool_calls: calls } : {}) };
}
