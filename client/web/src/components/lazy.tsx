/**
 * A component loaded on demand: its module (and what it imports, such as Chart.js or Tiptap) is a
 * chunk of its own that the browser fetches the first time the component is drawn, so the main
 * bundle does not grow with it. Until then a spinner stands in its place.
 */
import { useEffect, useState } from 'preact/hooks'
import type { ComponentType } from 'preact'
import { Spinner, toastError } from './ui'

export function onDemand<P extends object>(load: () => Promise<ComponentType<P>>,
                                           label: () => string): ComponentType<P> {
  let loaded: ComponentType<P> | null = null
  return function OnDemand(props: P) {
    const [Loaded, setLoaded] = useState<ComponentType<P> | null>(() => loaded)
    useEffect(() => {
      if (!Loaded) load().then((component) => setLoaded(() => (loaded = component)), toastError)
    }, [])
    return Loaded ? <Loaded {...props} /> : <Spinner label={label()} />
  }
}
