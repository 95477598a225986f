/**
 * The side chat's conversation, apart from the component so it can be tested on events:
 * one question at a time, its answer growing token by token from `message` events, ended by
 * `done` (or an `error` event, shown as the API words it). Events after the end are ignored:
 * a turn never changes once finished. Nothing here touches the renewal step.
 */
import { reactive } from 'vue'
import { openStream, type StreamEvent } from '@/api/sse'
import { ApiError } from '@/api/errors'

export type TurnState = 'streaming' | 'done' | 'error' | 'stopped'

export interface Turn {
  id: number
  question: string
  answer: string
  tools: string[]
  state: TurnState
  error: string | null
}

/** The text of an `error` event or a refused request: the envelope's message. */
function errorText(data: Record<string, unknown>): string {
  const text = data.error ?? data.content ?? data.message
  return typeof text === 'string' && text ? text : 'error'
}

/** Apply one stream event to a turn; true when the turn has ended. */
export function applyEvent(turn: Turn, event: StreamEvent): boolean {
  if (turn.state !== 'streaming') return true
  const data = event.data
  switch (event.event) {
    case 'message':
      if (typeof data.content === 'string') turn.answer += data.content
      return false
    case 'answer':
      // the whole answer once more: authoritative if a token went missing
      if (typeof data.content === 'string' && data.content) turn.answer = data.content
      return false
    case 'tool':
      if (typeof data.name === 'string') turn.tools.push(data.name)
      return false
    case 'done':
      turn.state = 'done'
      return true
    case 'error':
      turn.state = 'error'
      turn.error = errorText(data)
      return true
    default:
      return false // tool_result, pings and new event types: nothing to show
  }
}

export interface Conversation {
  turns: Turn[]
  busy: boolean
}

export type Opener = typeof openStream

/**
 * Ask one question on a renewal session and stream its answer into `conversation`.
 * Resolves when the turn ends (done, error, refused, stopped through `signal`).
 */
export async function ask(
  conversation: Conversation,
  sessionId: string,
  question: string,
  options: { signal?: AbortSignal; open?: Opener; network?: string } = {}
): Promise<Turn> {
  const turn = reactive<Turn>({
    id: conversation.turns.length + 1,
    question,
    answer: '',
    tools: [],
    state: 'streaming',
    error: null
  }) as Turn
  conversation.turns.push(turn)
  conversation.busy = true
  const ended = new AbortController()
  const abort = () => ended.abort()
  options.signal?.addEventListener('abort', abort)
  try {
    await (options.open ?? openStream)('/api/renewal-workflow/chat/stream', {
      method: 'POST',
      body: { session_id: sessionId, message: question },
      signal: ended.signal,
      onEvent: (event) => {
        if (applyEvent(turn, event)) ended.abort()
      }
    })
    if (turn.state === 'streaming') turn.state = options.signal?.aborted ? 'stopped' : 'done'
  } catch (caught) {
    if (turn.state === 'streaming') {
      if (options.signal?.aborted) {
        turn.state = 'stopped'
      } else {
        turn.state = 'error'
        turn.error = caught instanceof ApiError && caught.status > 0 ? caught.message : (options.network ?? 'network error')
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', abort)
    conversation.busy = false
  }
  return turn
}
